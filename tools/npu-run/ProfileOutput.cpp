//===- ProfileOutput.cpp - npu-run --profile, --report=json, --trace ------===//
#include "ProfileOutput.h"

#include "softnpu/timing/ProfileReport.h"

#include <nlohmann/json.hpp>

#include <cmath>
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

namespace {

/// profileJson's object with a "batch" object added last.
std::string jsonWithBatch(const timing::Profile &p, const BatchWallTime &batch) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(timing::profileJson(p));
  j["batch"] = {{"runs", batch.runs},
                {"threads", batch.threads},
                {"wall_s", batch.seconds},
                {"runs_per_s", batch.runsPerSecond()}};
  return j.dump(2) + "\n";
}

std::string batchLine(const BatchWallTime &batch) {
  char line[160];
  std::snprintf(line, sizeof line, "host wall time   %.3f s for the %lld runs on %u thread%s (%.0f runs/s)\n",
                batch.seconds, static_cast<long long>(batch.runs), batch.threads, batch.threads == 1 ? "" : "s",
                std::round(batch.runsPerSecond()));
  return line;
}

} // namespace

bool emitProfile(std::FILE *out, const timing::Profile &p, const ProfileOptions &o, const std::string &model,
                 const BatchWallTime &batch, std::string &error) {
  const int64_t runs = batch.runs;
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
      std::fputs((runs > 1 ? jsonWithBatch(p, batch) : timing::profileJson(p)).c_str(), out);
    } else {
      std::string title = "profile of " + model;
      if (runs > 1)
        title += " (one run of " + std::to_string(runs) + "; every run takes the same cycles)";
      std::fputs(timing::profileText(p, title).c_str(), out);
      if (runs > 1)
        std::fputs(batchLine(batch).c_str(), out);
    }
  }
  if (!o.tracePath.empty() && !o.json)
    std::fprintf(out, "trace written to %s\n", o.tracePath.c_str());
  return true;
}

} // namespace softnpu::tools
