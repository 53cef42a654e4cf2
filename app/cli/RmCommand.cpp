#include "CliContext.h"
#include "Commands.h"
#include "ContainerActions.h"

#include <QCommandLineParser>

// `gpudeck rm [-f] CONTAINER...`: removes stopped containers; -f also running ones (killed
// first), as docker rm does.
int rmCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("remove running containers too"));
    parser.addOption(force);
    if (!parser.parse(QStringList{QStringLiteral("rm")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'rm' needs at least one container."));
    const bool forced = parser.isSet(force);
    return ContainerActions::forEach(ctx, parser.positionalArguments(), QStringLiteral("remove"),
                                     [forced](DockerClient *client, const QString &container,
                                              QObject *context, DockerClient::Callback<void> done) {
                                         client->removeContainer(container, forced, context,
                                                                 std::move(done));
                                     });
}
