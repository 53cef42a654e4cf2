#include "CliContext.h"
#include "Commands.h"
#include "EngineSession.h"
#include "ProcessIo.h"
#include "RawTerminal.h"
#include "StdinPump.h"

#include "containers/ContainerRecord.h"
#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "gpu/GpuInventory.h"
#include "launch/FreeGpuPicker.h"
#include "launch/Launcher.h"
#include "launch/PortMapping.h"
#include "presets/PresetStore.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <limits>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

// docker run's code when the launch itself failed.
constexpr int kLaunchFailed = 125;

// "90" (seconds), "90s", "500ms", "5m", "1h30m": milliseconds, or -1 when it is none of these.
qint64 parseDuration(const QString &text)
{
    bool plain = false;
    const double seconds = text.toDouble(&plain);
    if (plain)
        return seconds >= 0 ? qint64(seconds * 1000) : -1;
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ms|h|m|s)"));
    qint64 total = 0;
    qsizetype at = 0;
    auto it = part.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        if (match.capturedStart() != at)
            return -1;
        at = match.capturedEnd();
        const double value = match.captured(1).toDouble();
        const QString unit = match.captured(2);
        const double factor = unit == QLatin1String("ms")  ? 1
                              : unit == QLatin1String("s") ? 1000
                              : unit == QLatin1String("m") ? 60000
                                                           : 3600000;
        total += qint64(value * factor);
    }
    return at > 0 && at == text.size() ? total : -1;
}

QString placeText(int place)
{
    return place <= 1 ? QStringLiteral("next in line")
                      : QStringLiteral("place %1 in line").arg(place);
}

} // namespace

int runCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption preset(QStringLiteral("preset"),
                                    QStringLiteral("the preset's name or file"),
                                    QStringLiteral("NAME|FILE"));
    const QCommandLineOption detach({QStringLiteral("d"), QStringLiteral("detach")},
                                    QStringLiteral(
                                        "print the container's id and leave it running"));
    // docker run's -p: added to the preset's own ports for this launch only.
    const QCommandLineOption publish({QStringLiteral("p"), QStringLiteral("publish")},
                                     QStringLiteral(
                                         "publish a container port as docker run -p does"),
                                     QStringLiteral("PORT"));
    // docker run's -i and -t: on top of the preset's own "interactive" and "tty".
    const QCommandLineOption interactive({QStringLiteral("i"), QStringLiteral("interactive")},
                                         QStringLiteral("keep stdin open and pass it on"));
    const QCommandLineOption tty({QStringLiteral("t"), QStringLiteral("tty")},
                                 QStringLiteral("give the container a terminal"));
    // Wait for a free-GPU preset's GPUs instead of failing when too few are free.
    const QCommandLineOption waitForGpus(QStringLiteral("wait"),
                                         QStringLiteral("wait until the preset's free GPUs are"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("with --wait: give up after this long "
                                                    "(90, 90s, 5m, 1h30m), exit 125"),
                                     QStringLiteral("DURATION"));
    parser.addOption(waitForGpus);
    parser.addOption(timeout);
    parser.addOption(preset);
    parser.addOption(detach);
    parser.addOption(publish);
    parser.addOption(interactive);
    parser.addOption(tty);
    if (!parser.parse(QStringList{QStringLiteral("run")} + args))
        return ctx.usage(parser.errorText() + QLatin1Char('.'));
    if (!parser.isSet(preset))
        return ctx.usage(QStringLiteral("'run' needs --preset NAME or --preset FILE."));
    if (!parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("'run' takes no arguments besides its options."));
    qint64 timeoutMs = -1;
    if (parser.isSet(timeout)) {
        if (!parser.isSet(waitForGpus))
            return ctx.usage(QStringLiteral("'--timeout' goes with '--wait'."));
        timeoutMs = parseDuration(parser.value(timeout));
        if (timeoutMs < 0)
            return ctx.usage(QStringLiteral("--timeout %1: not a duration (90, 90s, 5m, 1h30m).")
                                 .arg(parser.value(timeout)));
    }
    const QStringList published = parser.values(publish);
    for (const QString &entry : published) {
        const Result<PortMapping> mapping = PortMapping::parse(entry);
        if (!mapping)
            return ctx.usage(QStringLiteral("-p %1: %2").arg(entry, mapping.error().why()));
    }

    const Result<Preset> loaded = PresetStore().resolve(parser.value(preset));
    if (!loaded)
        return ctx.fail(loaded.error(), kLaunchFailed);
    LaunchSpec spec = loaded.value().spec();
    spec.labels.insert(ContainerRecord::presetLabel(), loaded.value().name());
    spec.interactive = spec.interactive || parser.isSet(interactive);
    spec.tty = spec.tty || parser.isSet(tty);
    if (parser.isSet(waitForGpus) && spec.gpus.mode != GpuSelection::Mode::Free)
        return ctx.usage(QStringLiteral("'--wait' is for presets that take free GPUs; \"%1\" "
                                        "asks for %2.")
                             .arg(loaded.value().name(), spec.gpus.summary()));
    const QList<ValidationIssue> issues = spec.validate();
    if (!issues.isEmpty()) {
        return ctx.fail(
            Error(Error::Code::Validation,
                  QStringLiteral("Preset \"%1\" cannot be launched").arg(loaded.value().name()),
                  issues.first().message, QStringLiteral("fix it with the window or in its file")),
            kLaunchFailed);
    }
    if (!published.isEmpty()) {
        // The preset was fine on its own: what is wrong now comes from -p (a host port published
        // twice, or a network mode that cannot publish).
        spec.ports += published;
        const QList<ValidationIssue> portIssues = spec.validate();
        if (!portIssues.isEmpty()) {
            return ctx.fail(Error(Error::Code::Validation,
                                  QStringLiteral("Preset \"%1\" cannot publish these ports")
                                      .arg(loaded.value().name()),
                                  portIssues.first().message,
                                  QStringLiteral("change the -p values")),
                            kLaunchFailed);
        }
    }

    const Result<DockerClient *> client = EngineSession::connect(ctx, loaded.value().engine());
    if (!client)
        return ctx.fail(client.error(), kLaunchFailed);
    // An engine socket is root on its host: a preset that picks its own engine says which, on
    // stderr (no prompt: scripts run this unattended).
    if (ctx.host.isEmpty() && !loaded.value().engine().isEmpty()) {
        ctx.err << "gpudeck: launching on " << client.value()->endpoint().url << " ("
                << client.value()->endpoint().source << ")" << Qt::endl;
    }

    // The engine version decides some checks (CDI needs API 1.44).
    std::optional<Error> versionError;
    client.value()->whenReady(client.value(), [&](const Error &error) {
        if (error.isError())
            versionError = error;
        ctx.finish(0);
    });
    ctx.exec();
    if (versionError)
        return ctx.fail(*versionError, kLaunchFailed);
    const QList<ValidationIssue> engineIssues = spec.validate(client.value()->apiVersion(),
                                                              client.value()->kind());
    if (!engineIssues.isEmpty()) {
        return ctx.fail(Error(Error::Code::Validation,
                              QStringLiteral("Preset \"%1\" cannot be launched on this engine")
                                  .arg(loaded.value().name()),
                              engineIssues.first().message),
                        kLaunchFailed);
    }

    CliContext runCtx;
    Launcher launcher(client.value());
    // The host's GPUs: free GPUs are picked from them, the image's CUDA needs checked against
    // their driver.
    GpuInventory hostGpus;
    if (spec.usesGpus()) {
        hostGpus.setHost(Engine::gpuHostFor(client.value()));
        launcher.setGpuInventory(&hostGpus);
    }
    // The other engines known here on the same GPU host (the local Podman beside the local
    // Docker): a GPU that one of their running containers holds is not free.
    std::vector<std::unique_ptr<DockerClient>> hostEngines;
    if (spec.gpus.mode == GpuSelection::Mode::Free) {
        QList<QPointer<DockerClient>> others;
        for (const Endpoint &other :
             EngineRegistry::knownOnGpuHostOf(client.value()->endpoint(), ctx.host)) {
            hostEngines.push_back(std::make_unique<DockerClient>(other));
            others << hostEngines.back().get();
        }
        launcher.setHostEngines(others);
    }
    // --wait: one line saying what it waits for and who holds the GPUs, then the launch once
    // they are free; the timeout cancels the wait (nothing was created while it waited).
    bool timedOut = false;
    Error waitedFor;
    QElapsedTimer waited;
    QTimer giveUp;
    giveUp.setSingleShot(true);
    giveUp.setTimerType(Qt::PreciseTimer); // never before the time asked for
    if (parser.isSet(waitForGpus)) {
        launcher.setWaitForGpus(true);
        QObject::connect(&launcher, &Launcher::waitingForGpus, &launcher, [&]() {
            if (waited.isValid())
                return;
            waited.start();
            runCtx.err << "gpudeck: waiting for " << spec.gpus.summary() << " ("
                       << placeText(launcher.placeInLine()) << "): " << launcher.waitReason().why()
                       << Qt::endl;
        });
        if (timeoutMs >= 0) {
            QObject::connect(&giveUp, &QTimer::timeout, &launcher, [&]() {
                if (!launcher.isWaitingForGpus())
                    return; // it has its GPUs and launches
                timedOut = true;
                waitedFor = launcher.waitReason();
                launcher.cancel();
            });
            giveUp.start(int(qMin<qint64>(timeoutMs, std::numeric_limits<int>::max())));
        }
    }
    QObject::connect(&launcher, &Launcher::gaveWay, &launcher, [&](const QString &holder) {
        runCtx.err << "gpudeck: gave way to " << holder
                   << ", which claimed the same GPUs first; picking again" << Qt::endl;
    });
    QObject::connect(&launcher, &Launcher::gpusTaken, &launcher, [&]() {
        runCtx.err << "gpudeck: taking " << FreeGpuPicker::describe(launcher.takenGpus()) << " ("
                   << spec.gpus.summary() << ")" << Qt::endl;
    });
    QObject::connect(&launcher, &Launcher::output, &launcher,
                     [](StreamDemuxer::Channel channel, const QByteArray &data) {
                         ProcessIo::writeAll(channel == StreamDemuxer::Channel::Stdout
                                                 ? STDOUT_FILENO
                                                 : STDERR_FILENO,
                                             data);
                     });
    QObject::connect(&launcher, &Launcher::finished, &launcher, [&]() {
        if (launcher.state() == Launcher::State::Exited) {
            if (parser.isSet(detach))
                runCtx.out << launcher.containerId() << Qt::endl;
            else if (launcher.error().isError())
                runCtx.fail(launcher.error(), 0);
            runCtx.finish(int(launcher.exitCode().value_or(kLaunchFailed)));
            return;
        }
        Error error = launcher.error();
        if (timedOut) {
            runCtx.finish(runCtx.fail(
                Error(Error::Code::Timeout,
                      QStringLiteral("Gave up waiting for %1 after %2")
                          .arg(spec.gpus.summary(), parser.value(timeout)),
                      waitedFor.why(),
                      QStringLiteral("Try again later, ask for fewer GPUs, or wait longer")),
                kLaunchFailed));
            return;
        }
        if (!launcher.containerId().isEmpty() && EngineError::isEngineLost(error)) {
            const QString name = spec.containerName.isEmpty() ? launcher.containerId().left(12)
                                                              : spec.containerName;
            error = EngineError::lostDuringRun(error, name, ctx.host);
        }
        if (EngineError::isMissingImage(error.why())) {
            error.withHint(QStringLiteral("Pull it first: %1 pull %2")
                               .arg(client.value()->kind() == EngineKind::Podman
                                        ? QStringLiteral("podman")
                                        : QStringLiteral("docker"),
                                    spec.image));
        }
        // 126/127 when the container's command could not be run, as docker run exits.
        runCtx.finish(runCtx.fail(error, launcher.failureExitCode()));
    });

    // Ctrl+C and SIGTERM stop the container (SIGTERM, then a kill after 10 s), as docker run's
    // signal proxy does; the exit code is then the container's.
    const ProcessIo::StopSignals stopSignals(&launcher, [&launcher]() { launcher.stop(10); });

    // -i: stdin to the container; -t on a terminal: this one raw until the launch ends.
    std::unique_ptr<StdinPump> input;
    std::unique_ptr<RawTerminal> raw;
    if (spec.interactive && !parser.isSet(detach)) {
        input = std::make_unique<StdinPump>(
            &launcher, [&launcher](const QByteArray &data) { launcher.writeStdin(data); },
            [&launcher]() { launcher.closeStdin(); });
        if (spec.tty && ::isatty(STDIN_FILENO)) {
            raw = std::make_unique<RawTerminal>(STDIN_FILENO);
            const QSize size = raw->size();
            launcher.resize(size.height(), size.width());
            QObject::connect(raw.get(), &RawTerminal::resized, &launcher,
                             [&launcher](const QSize &now) {
                                 launcher.resize(now.height(), now.width());
                             });
            raw->makeRaw();
        }
        QObject::connect(&launcher, &Launcher::finished, &launcher, [&]() {
            input->stop();
            if (raw)
                raw->restore();
        });
    }

    launcher.launch(spec, parser.isSet(detach));
    const int code = runCtx.exec();
    // A launch that failed after its create removes the container: the engine's answer is
    // awaited (within a bound), or exiting now would leave the container behind.
    if (launcher.isRemovingContainer()) {
        QEventLoop removal;
        QObject::connect(&launcher, &Launcher::containerRemoved, &removal, &QEventLoop::quit);
        QTimer::singleShot(10000, &removal, &QEventLoop::quit);
        removal.exec();
    }
    return code;
}
