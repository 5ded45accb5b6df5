//===- Measure.cpp - npu-sweep: profile and memory footprint of an artifact ===//
#include "Measure.h"

#include "softnpu/sim/Simulator.h"

#include <algorithm>
#include <vector>

namespace softnpu::tools {

bool measureFootprint(const artifact::Artifact &a, Footprint &out, std::string &error) {
  std::unique_ptr<sim::Simulator> sim = sim::Simulator::create(a, error);
  if (!sim)
    return false;
  const target::Target &t = a.target;
  out = Footprint{};
  out.mrfCapacity = t.mrfTiles;
  out.ivrf.capacity = t.ivrfDepth;
  out.asvrf.capacity = t.asvrfDepth;
  out.mulvrf.capacity = t.mulvrfDepth;

  std::vector<bool> pinned(t.mrfTiles, false), scratch(t.mrfTiles, false);
  for (const artifact::MatrixEntry &m : a.matrices) {
    const uint64_t end = std::min<uint64_t>(uint64_t{m.mrfTile} + uint64_t{m.rowTiles} * m.colTiles, t.mrfTiles);
    for (uint64_t tile = m.mrfTile; tile < end; ++tile)
      pinned[tile] = true;
  }
  auto note = [&](const timing::Range &r, bool written) {
    switch (r.mem) {
    case timing::Memory::Ivrf:
      out.ivrf.used = std::max(out.ivrf.used, r.end);
      break;
    case timing::Memory::Asvrf:
      out.asvrf.used = std::max(out.asvrf.used, r.end);
      break;
    case timing::Memory::Mulvrf:
      out.mulvrf.used = std::max(out.mulvrf.used, r.end);
      break;
    case timing::Memory::Mrf:
      if (written)
        for (uint64_t tile = r.begin; tile < std::min<uint64_t>(r.end, t.mrfTiles); ++tile)
          scratch[tile] = !pinned[tile];
      break;
    case timing::Memory::Dram:
      break;
    }
  };
  sim->setWorkObserver([&](const sim::WorkEvent &e) {
    for (const timing::Range &r : e.work->reads)
      note(r, false);
    for (const timing::Range &r : e.work->writes)
      note(r, true);
  });
  sim->reset();
  const bool ran = sim->run(error);
  sim->setWorkObserver(nullptr);
  if (!ran)
    return false;
  out.mrfPinned = static_cast<uint64_t>(std::count(pinned.begin(), pinned.end(), true));
  out.mrfScratch = static_cast<uint64_t>(std::count(scratch.begin(), scratch.end(), true));
  return true;
}

bool measure(const artifact::Artifact &a, const std::map<std::string, api::Tensor> &inputs, Measurement &out,
             std::string &error) {
  std::unique_ptr<api::Model> model = api::Model::fromArtifact(a, error);
  if (!model)
    return false;
  std::unique_ptr<api::Session> session = api::Session::create(*model, error);
  if (!session)
    return false;
  std::map<std::string, api::Tensor> outputs;
  if (!session->run(inputs, outputs, error, nullptr, &out.profile))
    return false;
  if (!measureFootprint(a, out.footprint, error))
    return false;
  out.weightBytes = a.weightImage.size();
  out.instructions = a.program.size();
  out.weightFormat = a.target.weightFormat.name();
  out.inputFormat = a.target.inputFormat.name();
  return true;
}

} // namespace softnpu::tools
