#pragma once

#include "ExportTarget.h"

#include <QString>

struct LaunchSpec;

// The launch as a Compose file with one service, for `docker compose up`. It is read off
// DockerCreateBody::build(), so the engine gets the same DeviceRequests and Runtime from
// compose as from GPU Deck's own launch.
class ComposeExport
{
public:
    // target: as PythonExport's (docker compose's GPU reservation is dropped on Podman < 5.4).
    static QString yaml(const LaunchSpec &spec, const ExportTarget &target = {});
    // The service's name: the container name made a compose service name, else "gpu".
    static QString serviceName(const LaunchSpec &spec);
};
