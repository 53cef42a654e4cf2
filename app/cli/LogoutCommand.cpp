#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"

#include "engine/DockerClient.h"
#include "registry/CredentialStore.h"
#include "registry/RegistryName.h"

#include <QObject>

int logoutCommand(CliContext &ctx, const QStringList &args)
{
    if (args.size() > 1 || (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))))
        return ctx.usage(QStringLiteral("'logout' takes at most one registry."));
    const QString server = args.value(0);
    const QString name = server.isEmpty() ? QStringLiteral("Docker Hub")
                                          : RegistryName::host(server);
    // Whose files: Podman's when the engine is Podman. Without an engine, Docker's.
    bool podman = false;
    if (const Result<DockerClient *> client = EngineSession::connect(ctx); client) {
        QObject context;
        client.value()->whenReady(&context, [&](const Error &) {
            podman = client.value()->isPodman();
            ctx.finish(0);
        });
        ctx.exec();
    }
    CliContext erasing;
    QObject context;
    int code = 0;
    CredentialStore::erase(server, podman, &context,
                           [&](const Result<CredentialStore::Stored> &erased) {
                               if (!erased) {
                                   code = ctx.fail(erased.error(), 1);
                               } else if (!erased.value().removed) {
                                   ctx.out << "Not logged in to " << name << Qt::endl;
                               } else {
                                   ctx.out << "Removed the login for " << name << " from "
                                           << erased.value().where << Qt::endl;
                               }
                               erasing.finish(code);
                           });
    erasing.exec();
    return code;
}
