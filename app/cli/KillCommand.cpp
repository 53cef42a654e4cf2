#include "CliContext.h"
#include "Commands.h"
#include "ContainerActions.h"

#include <QCommandLineParser>

// `gpudeck kill [-s SIGNAL] CONTAINER...`: SIGKILL (or the signal given), as docker kill does.
int killCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption signal({QStringLiteral("s"), QStringLiteral("signal")},
                                    QStringLiteral("the signal to send (KILL)"),
                                    QStringLiteral("SIGNAL"), QStringLiteral("KILL"));
    parser.addOption(signal);
    if (!parser.parse(QStringList{QStringLiteral("kill")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'kill' needs at least one container."));
    const QString name = parser.value(signal);
    return ContainerActions::forEach(ctx, parser.positionalArguments(), QStringLiteral("kill"),
                                     [name](DockerClient *client, const QString &container,
                                            QObject *context, DockerClient::Callback<void> done) {
                                         client->killContainer(container, name, context,
                                                               std::move(done));
                                     });
}
