#include "EngineSession.h"

#include "CliContext.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"

#include <QCoreApplication>

namespace EngineSession {

Result<DockerClient *> connect(const CliContext &ctx, const QString &presetEngine)
{
    const Result<Endpoint> endpoint = EndpointResolver::resolveForPreset(ctx.host, presetEngine);
    if (!endpoint)
        return endpoint.error();
    return new DockerClient(endpoint.value(), QCoreApplication::instance());
}

HostGpus hostGpus(DockerClient &client)
{
    HostGpus gpus;
    const Endpoint &endpoint = client.endpoint();
    gpus.inventory = std::make_unique<GpuInventory>();
    if (endpoint.kind == Endpoint::Kind::Ssh) {
        gpus.shell = std::make_unique<RemoteShell>(client.sshTunnel());
        gpus.inventory->setRemote(gpus.shell.get());
    } else if (endpoint.isRemote()) {
        gpus.probe = std::make_unique<GpuProbe>(&client);
        gpus.inventory->setProbe(gpus.probe.get());
    }
    return gpus;
}

} // namespace EngineSession
