#include "CliContext.h"
#include "Commands.h"
#include "ContainerActions.h"

#include <QCommandLineParser>

// `gpudeck stop [-t SECONDS] CONTAINER...`: SIGTERM, then SIGKILL after the grace period, as
// docker stop does.
int stopCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption time({QStringLiteral("t"), QStringLiteral("time")},
                                  QStringLiteral("seconds to wait before killing it (10)"),
                                  QStringLiteral("SECONDS"), QStringLiteral("10"));
    parser.addOption(time);
    if (!parser.parse(QStringList{QStringLiteral("stop")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    bool ok = false;
    const int seconds = parser.value(time).toInt(&ok);
    if (!ok || seconds < 0)
        return ctx.usage(
            QStringLiteral("-t needs a number of seconds, not '%1'.").arg(parser.value(time)));
    if (parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'stop' needs at least one container."));
    return ContainerActions::forEach(ctx, parser.positionalArguments(), QStringLiteral("stop"),
                                     [seconds](DockerClient *client, const QString &container,
                                               QObject *context,
                                               DockerClient::Callback<void> done) {
                                         client->stopContainer(container, seconds, context,
                                                               std::move(done));
                                     });
}
