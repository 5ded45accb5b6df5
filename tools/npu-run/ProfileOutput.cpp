//===- ProfileOutput.cpp - npu-run --profile, --report=json, --trace ------===//
#include "ProfileOutput.h"

#include "softnpu/timing/ProfileReport.h"

#include <fstream>

namespace softnpu::tools {

bool parseReportFormat(const std::string &value, bool &json, std::string &error) {
  if (value == "json" || value == "text") {
    json = value == "json";
    return true;
  }
  error = "--report=" + value + ": expected --report=json or --report=text";
  return false;
}

bool emitProfile(std::FILE *out, const timing::Profile &p, const ProfileOptions &o, const std::string &model,
                 int64_t runs, std::string &error) {
  if (!o.tracePath.empty()) {
    std::ofstream f(o.tracePath, std::ios::binary);
    const std::string text = timing::chromeTrace(p);
    if (f)
      f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!f) {
      error = "cannot write trace file '" + o.tracePath + "'";
      return false;
    }
  }
  if (o.print) {
    if (o.json) {
      std::fputs(timing::profileJson(p).c_str(), out);
    } else {
      std::string title = "profile of " + model;
      if (runs > 1)
        title += " (one run of " + std::to_string(runs) + "; every run takes the same cycles)";
      std::fputs(timing::profileText(p, title).c_str(), out);
    }
  }
  if (!o.tracePath.empty() && !o.json)
    std::fprintf(out, "trace written to %s\n", o.tracePath.c_str());
  return true;
}

} // namespace softnpu::tools
