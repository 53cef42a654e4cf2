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

} // namespace EngineSession
