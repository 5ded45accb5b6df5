//===- SimulatorDevice.h - The simulator behind the api::Device interface -===//
#ifndef SOFTNPU_LIB_API_SIMULATORDEVICE_H
#define SOFTNPU_LIB_API_SIMULATORDEVICE_H

#include "softnpu/api/Session.h"

#include <memory>

namespace softnpu::api {

/// A Device that runs artifacts on sim::Simulator.
std::unique_ptr<Device> createSimulatorDevice();

} // namespace softnpu::api

#endif // SOFTNPU_LIB_API_SIMULATORDEVICE_H
