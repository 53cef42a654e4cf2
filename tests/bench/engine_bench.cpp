// Engine benchmarks against the sandboxed dockerd (GPUDECK_TEST_HOST: unix://, ssh:// through the test
// sshd, or tcp:// with TLS), printing figures, never asserting on time. The docker CLI reaches the
// same engine the same way (GPUDECK_BENCH_CLI_HOST when its URL differs: Debian's docker 20.10 reads
// no socket path in ssh:// URLs):
//  1. attach throughput: a 200 MB stream through the client vs `docker run` on the same image,
//     with the client's resident memory sampled while streaming;
//  2. `gpudeck run` vs `docker run`, alternating: a `true` container, and a 30 MB output stream;
//  3. what one launch of a `true` container costs: CPU (user + system) and peak resident memory
//     of the `gpudeck run` process against the `docker run --rm` process (wait4's rusage).
// Ratios below 1.0 mean gpudeck is faster or smaller.
#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/WaitCall.h"
#include "launch/LaunchSpec.h"
#include "launch/Launcher.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

qint64 rssBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.value(1).toLongLong() * sysconf(_SC_PAGESIZE);
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

QString streamCommand(qint64 bytes)
{
    return QStringLiteral(
               "yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c %1")
        .arg(bytes);
}

// Seconds for `docker run --rm` of the command, output discarded, as a user would time it.
double timeDockerCli(const QStringList &command)
{
    QProcess process;
    process.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"),
               qEnvironmentVariable("GPUDECK_BENCH_CLI_HOST", qEnvironmentVariable("DOCKER_HOST")));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("/usr/bin/docker"),
                  QStringList{QStringLiteral("run"), QStringLiteral("--rm"),
                              QStringLiteral("--network"), QStringLiteral("none"), kImage}
                      + command);
    process.waitForFinished(600000);
    return timer.nsecsElapsed() / 1e9;
}

double timeGpudeckRun(const QString &presetFile)
{
    QProcess process;
    process.setStandardOutputFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    process.start(QCoreApplication::applicationDirPath() + QStringLiteral("/../../bin/gpudeck"),
                  {QStringLiteral("run"), QStringLiteral("--preset"), presetFile});
    process.waitForFinished(600000);
    if (process.exitCode() != 0)
        std::fprintf(stderr, "gpudeck run failed: %s\n",
                     process.readAllStandardError().constData());
    return timer.nsecsElapsed() / 1e9;
}

struct ProcessCost
{
    double cpuSeconds = 0;
    double peakMiB = 0;
};

// Runs program with args (stdout and stderr to /dev/null) and returns its own CPU time and peak
// resident set, as the kernel accounts them for that one child.
ProcessCost measureProgram(const QString &program, const QStringList &args,
                           const QProcessEnvironment &env)
{
    QList<QByteArray> argBytes{QFile::encodeName(program)};
    for (const QString &arg : args)
        argBytes << arg.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &arg : argBytes)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    QList<QByteArray> envBytes;
    for (const QString &entry : env.toStringList())
        envBytes << entry.toLocal8Bit();
    std::vector<char *> envp;
    for (QByteArray &entry : envBytes)
        envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv.front(), &actions, nullptr, argv.data(),
                                    envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ProcessCost cost;
    if (spawned != 0)
        return cost;
    int status = 0;
    struct rusage usage = {};
    if (wait4(pid, &status, 0, &usage) != pid)
        return cost;
    cost.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                      + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    cost.peakMiB = double(usage.ru_maxrss) / 1024.0; // kilobytes on Linux
    return cost;
}

struct ClientRun
{
    double seconds = 0;
    qint64 bytes = 0;
    qint64 rssBefore = 0;
    qint64 rssPeak = 0;
};

// In-process: the client's own cost of moving the bytes, with RSS sampled every 20 ms.
ClientRun streamThroughClient(DockerClient &client, qint64 bytes)
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), streamCommand(bytes)};
    spec.networkMode = QStringLiteral("none");
    ClientRun run;
    run.rssBefore = rssBytes();
    run.rssPeak = run.rssBefore;
    Launcher launcher(&client);
    QObject::connect(&launcher, &Launcher::output, &launcher,
                     [&run](StreamDemuxer::Channel, const QByteArray &data) {
                         run.bytes += data.size();
                     });
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &sampler,
                     [&run]() { run.rssPeak = qMax(run.rssPeak, rssBytes()); });
    sampler.start(20);
    QEventLoop loop;
    QObject::connect(&launcher, &Launcher::finished, &loop, &QEventLoop::quit);
    QElapsedTimer timer;
    timer.start();
    launcher.launch(spec);
    loop.exec();
    run.seconds = timer.nsecsElapsed() / 1e9;
    if (launcher.error().isError())
        std::fprintf(stderr, "launch failed: %s\n", qPrintable(launcher.error().message()));
    return run;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QString host = qEnvironmentVariable("GPUDECK_TEST_HOST",
                                              qEnvironmentVariable("DOCKER_HOST"));
    const Result<Endpoint> endpoint = EndpointResolver::resolve(host);
    if (host.isEmpty() || !endpoint) {
        std::fprintf(stderr,
                     "bench_engine: set GPUDECK_TEST_HOST (tests/scripts/test-engine.sh start DIR "
                     "prints it)%s\n",
                     endpoint ? "" : qPrintable(QStringLiteral(": ") + endpoint.error().message()));
        return 2;
    }
    qputenv("DOCKER_HOST", host.toUtf8());
    const int rounds = qEnvironmentVariableIntValue("GPUDECK_BENCH_ROUNDS") > 0
                           ? qEnvironmentVariableIntValue("GPUDECK_BENCH_ROUNDS")
                           : 5;
    const char *over = endpoint.value().kind == Endpoint::Kind::Ssh   ? "ssh"
                       : endpoint.value().kind == Endpoint::Kind::Tls ? "TLS"
                       : endpoint.value().kind == Endpoint::Kind::Tcp ? "tcp"
                                                                      : "unix socket";
    std::printf("engine %s over %s\n", qPrintable(host), over);
    DockerClient client(endpoint.value());

    // 1. Attach throughput, 200 MB.
    const qint64 big = 200LL * 1000 * 1000;
    QList<double> ours;
    QList<double> theirs;
    qint64 worstGrowth = 0;
    for (int i = 0; i < rounds; ++i) {
        const ClientRun run = streamThroughClient(client, big);
        if (run.bytes != big)
            std::fprintf(stderr, "client received %lld of %lld bytes\n", run.bytes, big);
        ours.append(run.seconds);
        worstGrowth = qMax(worstGrowth, run.rssPeak - run.rssBefore);
        theirs.append(
            timeDockerCli({QStringLiteral("sh"), QStringLiteral("-c"), streamCommand(big)}));
    }
    std::printf("attach 200 MB: gpudeck client %.3f s (%.0f MB/s), docker run %.3f s (%.0f MB/s); "
                "ratio %.2f, "
                "throughput %.2fx the CLI's; RSS growth while streaming %.1f MB (median of %d)\n",
                median(ours), big / 1e6 / median(ours), median(theirs), big / 1e6 / median(theirs),
                median(ours) / median(theirs), median(theirs) / median(ours), worstGrowth / 1e6,
                rounds);

    // 2. gpudeck run vs docker run, alternating.
    QTemporaryDir dir;
    const auto presetFor = [&dir](const QString &name, const QStringList &command) {
        LaunchSpec spec;
        spec.image = kImage;
        spec.command = command;
        spec.networkMode = QStringLiteral("none");
        const QString path = dir.filePath(name + QStringLiteral(".json"));
        PresetStore::writeFile(path, Preset(name, spec).toFileBytes());
        return path;
    };
    const QString truePreset = presetFor(QStringLiteral("true"), {QStringLiteral("true")});
    const qint64 medium = 30LL * 1000 * 1000;
    const QStringList streamArgs{QStringLiteral("sh"), QStringLiteral("-c"), streamCommand(medium)};
    const QString streamPreset = presetFor(QStringLiteral("stream"), streamArgs);
    QList<double> runTrue, cliTrue, runStream, cliStream;
    for (int i = 0; i < rounds; ++i) {
        runTrue.append(timeGpudeckRun(truePreset));
        cliTrue.append(timeDockerCli({QStringLiteral("true")}));
        runStream.append(timeGpudeckRun(streamPreset));
        cliStream.append(timeDockerCli(streamArgs));
    }
    std::printf(
        "launch of true: gpudeck run %.3f s, docker run %.3f s; ratio %.2f (median of %d)\n",
        median(runTrue), median(cliTrue), median(runTrue) / median(cliTrue), rounds);
    std::printf(
        "30 MB output:   gpudeck run %.3f s, docker run %.3f s; ratio %.2f (median of %d)\n",
        median(runStream), median(cliStream), median(runStream) / median(cliStream), rounds);

    // 3. The cost of one launch, process against process, pair by pair.
    QProcessEnvironment cliEnv = QProcessEnvironment::systemEnvironment();
    cliEnv.insert(QStringLiteral("DOCKER_HOST"),
                  qEnvironmentVariable("GPUDECK_BENCH_CLI_HOST", host));
    QProcessEnvironment ourEnv = QProcessEnvironment::systemEnvironment();
    ourEnv.insert(QStringLiteral("DOCKER_HOST"), host);
    const QString gpudeck = QCoreApplication::applicationDirPath()
                            + QStringLiteral("/../../bin/gpudeck");
    QList<double> cpuOurs, cpuTheirs, memOurs, memTheirs, cpuRatio, memRatio;
    const int pairs = qMax(rounds, 10);
    for (int i = 0; i < pairs; ++i) {
        const ProcessCost mine = measureProgram(
            gpudeck, {QStringLiteral("run"), QStringLiteral("--preset"), truePreset}, ourEnv);
        const ProcessCost cli = measureProgram(QStringLiteral("/usr/bin/docker"),
                                               {QStringLiteral("run"), QStringLiteral("--rm"),
                                                QStringLiteral("--network"), QStringLiteral("none"),
                                                kImage, QStringLiteral("true")},
                                               cliEnv);
        cpuOurs << mine.cpuSeconds;
        cpuTheirs << cli.cpuSeconds;
        memOurs << mine.peakMiB;
        memTheirs << cli.peakMiB;
        if (cli.cpuSeconds > 0)
            cpuRatio << mine.cpuSeconds / cli.cpuSeconds;
        if (cli.peakMiB > 0)
            memRatio << mine.peakMiB / cli.peakMiB;
    }
    std::printf("launch cost of true: CPU gpudeck run %.3f s, docker run %.3f s, ratio %.2f; "
                "peak memory gpudeck run %.1f MiB, docker run %.1f MiB, ratio %.2f (medians of "
                "%d pairs)\n",
                median(cpuOurs), median(cpuTheirs), median(cpuRatio), median(memOurs),
                median(memTheirs), median(memRatio), pairs);
    return 0;
}
