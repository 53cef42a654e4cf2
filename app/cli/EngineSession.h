#pragma once

#include "common/Result.h"
#include "gpu/GpuInventory.h"
#include "launch/GpuProbe.h"
#include "transport/RemoteShell.h"

#include <memory>

class CliContext;
class DockerClient;

// The engine for a headless command: --host, else the docker CLI's conventions.
namespace EngineSession {

// The client lives as long as the QCoreApplication. presetEngine: a preset's "engine", which
// --host overrides and which overrides DOCKER_HOST and the contexts.
Result<DockerClient *> connect(const CliContext &ctx, const QString &presetEngine = {});

// The GPUs of an engine's host: this machine's for a local engine, the host's own nvidia-smi
// over an ssh engine's connection (the engine must have answered, so that the connection is
// up), nvidia-smi in probe containers on other remote engines (GpuProbe). Never this machine's
// GPUs for another host.
struct HostGpus
{
    std::unique_ptr<RemoteShell> shell;
    std::unique_ptr<GpuProbe> probe;
    std::unique_ptr<GpuInventory> inventory;
};
HostGpus hostGpus(DockerClient &client);

} // namespace EngineSession
