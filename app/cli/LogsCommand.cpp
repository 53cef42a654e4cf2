#include "CliContext.h"
#include "Commands.h"
#include "ContainerActions.h"
#include "EngineSession.h"
#include "ProcessIo.h"

#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"

#include <QCommandLineParser>
#include <QEventLoop>

#include <unistd.h>

// `gpudeck logs [-f] [--tail N] CONTAINER`: the container's stdout to stdout and its stderr to
// stderr, byte for byte; a TTY container's one raw stream to stdout (its Config.Tty decides, as
// docker logs does). With -f it follows until the container ends or the command is stopped.
int logsCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption follow({QStringLiteral("f"), QStringLiteral("follow")},
                                    QStringLiteral("follow the output"));
    const QCommandLineOption tail({QStringLiteral("n"), QStringLiteral("tail")},
                                  QStringLiteral("the last N lines only (all)"),
                                  QStringLiteral("N"), QStringLiteral("all"));
    parser.addOption(follow);
    parser.addOption(tail);
    if (!parser.parse(QStringList{QStringLiteral("logs")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (parser.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("'logs' needs exactly one container."));
    int lines = -1;
    if (parser.value(tail) != QLatin1String("all")) {
        bool ok = false;
        lines = parser.value(tail).toInt(&ok);
        if (!ok || lines < 0)
            return ctx.usage(QStringLiteral("--tail needs a number of lines or 'all', not '%1'.")
                                 .arg(parser.value(tail)));
    }
    const QString container = parser.positionalArguments().first();

    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), 1);
    // The container's TTY setting decides whether the stream is framed.
    QEventLoop loop;
    QObject context;
    Result<QJsonObject> inspected(Error{});
    client.value()->inspectContainer(container, &context, [&](const Result<QJsonObject> &answer) {
        inspected = answer;
        loop.quit();
    });
    loop.exec();
    if (!inspected) {
        if (inspected.error().httpStatus() == 404)
            return ctx.fail(ContainerActions::explain(inspected.error(), container,
                                                      QStringLiteral("read the logs of")),
                            1);
        return ctx.fail(inspected.error(), 1);
    }
    const bool tty = inspected.value()
                         .value(QLatin1String("Config"))
                         .toObject()
                         .value(QLatin1String("Tty"))
                         .toBool();
    const QString id = inspected.value().value(QLatin1String("Id")).toString();

    ContainerStream *stream = client.value()->logs(id, tty, parser.isSet(follow), lines);
    QObject::connect(stream, &ContainerStream::output, &context,
                     [](StreamDemuxer::Channel channel, const QByteArray &data) {
                         ProcessIo::writeAll(channel == StreamDemuxer::Channel::Stdout
                                                 ? STDOUT_FILENO
                                                 : STDERR_FILENO,
                                             data);
                     });
    QObject::connect(stream, &ContainerStream::finished, &loop, &QEventLoop::quit);
    // Ctrl+C while following ends the stream, not the process in the middle of a write.
    const ProcessIo::StopSignals stopSignals(&context, [stream]() { stream->cancel(); });
    if (!stream->isFinished())
        loop.exec();
    const Error error = stream->error();
    stream->deleteLater();
    if (error.isError() && error.code() != Error::Code::Cancelled)
        return ctx.fail(error, 1);
    return 0;
}
