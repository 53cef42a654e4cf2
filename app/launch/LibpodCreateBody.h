#pragma once

#include <QJsonObject>

struct LaunchSpec;

// A launch for Podman's own POST /libpod/containers/create (a SpecGenerator), which Podman before
// 5.4 needs for CDI devices: {"devices": [{"path": "nvidia.com/gpu=0"}]}. GPUs are CDI devices here
// whatever deviceDriver says.
namespace LibpodCreateBody {

QJsonObject build(const LaunchSpec &spec);

} // namespace LibpodCreateBody
