// Launch benchmarks against the engines' own CLIs, alternating in the same run, printing figures
// and never asserting on time (ratios below 1.0 mean gpudeck is faster):
//   bench_launch cdi DEVICE CLI [CLI_ARGS...]
//       `gpudeck run` of a CDI preset (DEVICE, e.g. nvidia.com/gpu=0) against
//       `CLI [CLI_ARGS] run --rm --network none --device DEVICE IMAGE nvidia-smi`: Docker 26's
//       docker, or podman --url unix://... (issue 14: at most 1.0x each).
//   bench_launch swarm
//       `gpudeck swarm run` of a one-task `true` service against `docker service create` +
//       `docker service logs` + `docker service rm` (issue 16: at most 1.0x). Debian's docker 20.10
//       never returns from `service create --detach=false` once a restart-condition-none task has
//       completed, so the CLI's side waits as that flag means to: `docker service ps` until the
//       task is Complete (or Failed), each look a CLI run of its own.
// The engine is GPUDECK_TEST_HOST (a unix:// URL); tests/scripts/run-benchmarks.sh starts them.
#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

// Seconds for one program run to its end, output discarded; a failure is said on stderr.
double timeProgram(const QString &program, const QStringList &args,
                   const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    process.start(program, args);
    process.waitForFinished(600000);
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        std::fprintf(stderr, "%s %s failed: %s\n", qPrintable(program),
                     qPrintable(args.join(QLatin1Char(' '))),
                     process.readAllStandardError().constData());
    return seconds;
}

QString gpudeckBinary()
{
    return QCoreApplication::applicationDirPath() + QStringLiteral("/../../bin/gpudeck");
}

QString writePreset(const QTemporaryDir &dir, const LaunchSpec &spec)
{
    const QString path = dir.filePath(QStringLiteral("bench.json"));
    PresetStore::writeFile(path, Preset(QStringLiteral("bench"), spec).toFileBytes());
    return path;
}

int benchCdi(const QString &device, const QString &cli, const QStringList &cliArgs, int rounds)
{
    QTemporaryDir dir;
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.deviceDriver = QStringLiteral("cdi");
    spec.gpus = GpuSelection::ofDevices({device});
    const QString preset = writePreset(dir, spec);
    const QStringList theirs = cliArgs
                               + QStringList{QStringLiteral("run"),
                                             QStringLiteral("--rm"),
                                             QStringLiteral("--network"),
                                             QStringLiteral("none"),
                                             QStringLiteral("--device"),
                                             device,
                                             kImage,
                                             QStringLiteral("nvidia-smi")};
    QList<double> ours;
    QList<double> cliTimes;
    for (int i = 0; i < rounds; ++i) {
        ours.append(timeProgram(gpudeckBinary(),
                                {QStringLiteral("run"), QStringLiteral("--preset"), preset}));
        cliTimes.append(timeProgram(cli, theirs));
    }
    std::printf(
        "CDI launch of %s: gpudeck run %.3f s, %s run --device %.3f s; ratio %.2f (median of %d)\n",
        qPrintable(device), median(ours), qPrintable(QFileInfo(cli).fileName()), median(cliTimes),
        median(ours) / median(cliTimes), rounds);
    return 0;
}

int benchSwarm(int rounds)
{
    QTemporaryDir dir;
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("true")};
    const QString preset = writePreset(dir, spec);
    const QString docker = QStringLiteral("/usr/bin/docker");
    QList<double> ours;
    QList<double> cliTimes;
    for (int i = 0; i < rounds; ++i) {
        ours.append(timeProgram(gpudeckBinary(), {QStringLiteral("swarm"), QStringLiteral("run"),
                                                  QStringLiteral("--preset"), preset}));
        const QString name =
            QStringLiteral("gpudeck-bench-%1-%2").arg(QCoreApplication::applicationPid()).arg(i);
        QElapsedTimer timer;
        timer.start();
        timeProgram(docker, {QStringLiteral("service"), QStringLiteral("create"),
                             QStringLiteral("--detach"), QStringLiteral("--quiet"),
                             QStringLiteral("--restart-condition"), QStringLiteral("none"),
                             QStringLiteral("--name"), name, kImage, QStringLiteral("true")});
        while (timer.elapsed() < 120000) {
            QProcess ps;
            ps.start(docker,
                     {QStringLiteral("service"), QStringLiteral("ps"), QStringLiteral("--format"),
                      QStringLiteral("{{.CurrentState}}"), name});
            ps.waitForFinished(30000);
            const QByteArray state = ps.readAllStandardOutput();
            if (state.startsWith("Complete") || state.startsWith("Failed")
                || state.startsWith("Rejected"))
                break;
        }
        timeProgram(docker, {QStringLiteral("service"), QStringLiteral("logs"), name});
        timeProgram(docker, {QStringLiteral("service"), QStringLiteral("rm"), name});
        cliTimes.append(timer.nsecsElapsed() / 1e9);
    }
    std::printf("swarm one-task true: gpudeck swarm run %.3f s, docker service create + ps until "
                "complete + logs + rm "
                "%.3f s; ratio %.2f (median of %d)\n",
                median(ours), median(cliTimes), median(ours) / median(cliTimes), rounds);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments().mid(1);
    const QString host = qEnvironmentVariable("GPUDECK_TEST_HOST");
    const int rounds = qEnvironmentVariableIntValue("GPUDECK_BENCH_ROUNDS") > 0
                           ? qEnvironmentVariableIntValue("GPUDECK_BENCH_ROUNDS")
                           : 5;
    if (host.isEmpty() || args.isEmpty()
        || !(args.first() == QLatin1String("swarm")
             || (args.first() == QLatin1String("cdi") && args.size() >= 3))) {
        std::fprintf(stderr, "usage: GPUDECK_TEST_HOST=unix://... bench_launch cdi DEVICE CLI "
                             "[CLI_ARGS...] | swarm\n");
        return 2;
    }
    qputenv("DOCKER_HOST", host.toUtf8());
    std::printf("engine %s\n", qPrintable(host));
    if (args.first() == QLatin1String("swarm"))
        return benchSwarm(rounds);
    return benchCdi(args.at(1), args.at(2), args.mid(3), rounds);
}
