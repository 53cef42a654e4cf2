#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"
#include "ProcessIo.h"
#include "RawTerminal.h"
#include "StdinPump.h"

#include "engine/DockerClient.h"
#include "engine/ExecSession.h"

#include <QCommandLineParser>

#include <unistd.h>

namespace {

// docker exec's code when it could not run the command at all.
constexpr int kExecFailed = 1;

} // namespace

int execCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    // Everything after the container belongs to the command (`exec c ls -la`).
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption interactive({QStringLiteral("i"), QStringLiteral("interactive")},
                                         QStringLiteral("keep stdin open and pass it on"));
    const QCommandLineOption tty({QStringLiteral("t"), QStringLiteral("tty")},
                                 QStringLiteral("give the command a terminal"));
    const QCommandLineOption user({QStringLiteral("u"), QStringLiteral("user")},
                                  QStringLiteral("run as this user"), QStringLiteral("USER"));
    const QCommandLineOption workdir({QStringLiteral("w"), QStringLiteral("workdir")},
                                     QStringLiteral("run in this directory"),
                                     QStringLiteral("DIR"));
    const QCommandLineOption env({QStringLiteral("e"), QStringLiteral("env")},
                                 QStringLiteral("set an environment variable"),
                                 QStringLiteral("KEY=VALUE"));
    parser.addOptions({interactive, tty, user, workdir, env});
    if (!parser.parse(QStringList{QStringLiteral("exec")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2)
        return ctx.usage(QStringLiteral("'exec' needs a container and a command."));
    for (const QString &entry : parser.values(env)) {
        if (entry.isEmpty() || entry.startsWith(QLatin1Char('=')))
            return ctx.usage(QStringLiteral("-e %1: expected KEY=VALUE.").arg(entry));
    }

    const Result<DockerClient *> client = EngineSession::connect(ctx);
    if (!client)
        return ctx.fail(client.error(), kExecFailed);

    ExecSession::Options options;
    options.command = positional.mid(1);
    options.interactive = parser.isSet(interactive);
    options.tty = parser.isSet(tty);
    options.user = parser.value(user);
    options.workingDir = parser.value(workdir);
    options.env = parser.values(env);
    // docker exec -t on a stdin that is no terminal still gives the command one.
    std::unique_ptr<RawTerminal> raw;
    if (options.tty && ::isatty(STDIN_FILENO)) {
        raw = std::make_unique<RawTerminal>(STDIN_FILENO);
        const QSize size = raw->size();
        options.rows = size.height();
        options.columns = size.width();
    }

    CliContext runCtx;
    ExecSession session(client.value(), positional.first(), options);
    QObject::connect(&session, &ExecSession::output, &session,
                     [](StreamDemuxer::Channel channel, const QByteArray &data) {
                         // A daemon error ends up in the session's error, said once.
                         if (channel != StreamDemuxer::Channel::DaemonError)
                             ProcessIo::writeAll(channel == StreamDemuxer::Channel::Stdout
                                                     ? STDOUT_FILENO
                                                     : STDERR_FILENO,
                                                 data);
                     });

    // stdin, byte-exact, as it comes; end-of-file half-closes the connection.
    std::unique_ptr<StdinPump> input;
    if (options.interactive) {
        input = std::make_unique<StdinPump>(
            &session, [&session](const QByteArray &data) { session.write(data); },
            [&session]() { session.closeStdin(); });
    }
    if (raw) {
        // As docker exec: raw only when the keys go to the command.
        if (options.interactive)
            raw->makeRaw();
        QObject::connect(raw.get(), &RawTerminal::resized, &session, [&session](const QSize &size) {
            session.resize(size.height(), size.width());
        });
    }
    QObject::connect(&session, &ExecSession::finished, &session, [&]() {
        if (input)
            input->stop();
        if (raw)
            raw->restore();
        if (!session.exitCode()) {
            runCtx.finish(runCtx.fail(session.error(), kExecFailed));
            return;
        }
        if (session.error().isError())
            runCtx.fail(session.error(), 0);
        runCtx.finish(*session.exitCode());
    });
    session.start();
    return runCtx.exec();
}
