// The terminal's figures (issue 25), printed, never asserted: against a running container on the
// sandboxed engine (GPUDECK_TEST_HOST: unix://, or ssh:// through the test sshd with
// GPUDECK_BENCH_CLI_HOST for the docker CLI), each beside the docker CLI measured in the same run:
//  1. keystroke to echo, 20 keys a second: a key event on the TerminalView until the shell's echo
//     is in the screen model, and until the first paint after that; against `docker exec -it`
//     under a pty of ours (a byte written until its echo is read back);
//  2. 100 MB of output through the terminal (libvterm parsing, batched repaints) against
//     `docker exec -t` writing it into a pipe, with the longest event-loop stall meanwhile and
//     how much of it the GUI thread spent on a CPU (on a busy machine a stall is mostly waiting
//     for one);
//  3. the heap that 10,000 lines of scrollback take (80 columns, colours on every line).
//   GPUDECK_TEST_HOST=$(tests/scripts/test-engine.sh start /tmp/e | tail -n1)
//   build/tests/bench/bench_terminal    (offscreen unless QT_QPA_PLATFORM says; GPUDECK_BENCH_KEYS)
// The docker CLI is GPUDECK_BENCH_DOCKER, else the docker on PATH. GPUDECK_BENCH_SOURCE=file: the
// flood is cat of a file in the container instead of yes | head.
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "terminal/ExecTerminal.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QKeyEvent>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTimer>

#include <functional>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <malloc.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");
constexpr qint64 kFloodBytes = 100LL * 1024 * 1024;
constexpr int kKeyGapMs = 50;

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

double percentile(QList<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(qMin(values.size() - 1, qsizetype(values.size() * p)));
}

// The flood's lines, made by yes | head in the container as it runs; with
// GPUDECK_BENCH_SOURCE=file, written to a file in the container first and then sent by cat (on a
// fast machine busybox head, at 100 % of a CPU, is what limits the engine path).
bool floodFromFile()
{
    return qEnvironmentVariable("GPUDECK_BENCH_SOURCE") == QLatin1String("file");
}

QString floodLines()
{
    return QStringLiteral("yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                          "0123456789 | head -c %1")
        .arg(kFloodBytes);
}

QString floodCommand()
{
    return floodFromFile() ? QStringLiteral("cat /tmp/gpudeck-flood") : floodLines();
}

QString dockerCli()
{
    const QString named = qEnvironmentVariable("GPUDECK_BENCH_DOCKER");
    return named.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("docker")) : named;
}

QProcessEnvironment cliEnvironment(const QString &host)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), qEnvironmentVariable("GPUDECK_BENCH_CLI_HOST", host));
    return env;
}

// Runs the event loop until done() or ms have passed, asleep while no event comes (the timed
// processEvents() overload drops WaitForMoreEvents and would spin a CPU that the engine needs).
bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer clock;
    clock.start();
    QTimer deadline;
    deadline.setTimerType(Qt::PreciseTimer);
    deadline.setSingleShot(true);
    deadline.start(ms);
    while (!done()) {
        if (clock.elapsed() >= ms)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

bool hasPrompt(const TerminalScreen *screen)
{
    const QString line = screen->lineText(screen->cursor().y());
    return line == QStringLiteral("/ #");
}

void key(QWidget *view, Qt::Key code, const QString &text, Qt::KeyboardModifiers mods = {})
{
    QKeyEvent press(QEvent::KeyPress, code, mods, text);
    QApplication::sendEvent(view, &press);
    QKeyEvent release(QEvent::KeyRelease, code, mods, text);
    QApplication::sendEvent(view, &release);
}

// Records when the view was last painted.
class PaintClock : public QObject
{
public:
    explicit PaintClock(const QElapsedTimer *clock) : m_clock(clock) { }
    qint64 last = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            last = m_clock->nsecsElapsed();
        return false;
    }

private:
    const QElapsedTimer *m_clock;
};

struct Echoes
{
    QList<double> model; // ms until the echo is in the screen model
    QList<double> paint; // ms until the first paint after that
};

Echoes gpudeckEchoes(DockerClient *client, const QString &container, int keys)
{
    Echoes out;
    TerminalView view;
    view.resize(view.cellSize().width() * 80, view.cellSize().height() * 24);
    view.show();
    view.setFocus();
    ExecTerminal terminal(client, container, &view, {QStringLiteral("sh")});
    terminal.start();
    if (!waitFor([&]() { return hasPrompt(view.screen()); }, 30000)) {
        std::fprintf(stderr, "no prompt in GPU Deck's terminal:\n%s\n",
                     qPrintable(view.screen()->screenText()));
        return out;
    }
    QElapsedTimer clock;
    clock.start();
    PaintClock paints(&clock);
    view.installEventFilter(&paints);
    for (int i = 0; i < keys; ++i) {
        // A fast typist's pace: 20 keys a second (each key then finds no frame in progress).
        waitFor([]() { return false; }, kKeyGapMs);
        const char letter = char('a' + i % 26);
        const int before = view.screen()->cursor().x();
        const int row = view.screen()->cursor().y();
        const qint64 start = clock.nsecsElapsed();
        key(&view, Qt::Key(Qt::Key_A + i % 26), QString(QLatin1Char(letter)));
        if (!waitFor(
                [&]() {
                    return view.screen()->cursor().x() > before
                           && view.screen()->cell(row, before).text == QLatin1Char(letter);
                },
                5000))
            break;
        const qint64 echoed = clock.nsecsElapsed();
        out.model << (echoed - start) / 1e6;
        waitFor([&]() { return paints.last > echoed; }, 1000);
        out.paint << (paints.last - start) / 1e6;
        if (i % 20 == 19) { // a "command not found", then the prompt again
            key(&view, Qt::Key_Return, QStringLiteral("\r"));
            waitFor([&]() { return hasPrompt(view.screen()); }, 5000);
        }
    }
    terminal.stop();
    return out;
}

// docker exec -it under a pty of ours: a byte written, until its echo is read back.
QList<double> cliEchoes(const QString &host, const QString &container, int keys)
{
    QList<double> out;
    const QByteArray dockerHost = qEnvironmentVariable("GPUDECK_BENCH_CLI_HOST", host).toUtf8();
    const QByteArray docker = QFile::encodeName(dockerCli());
    struct winsize size = {24, 80, 0, 0};
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, &size);
    if (pid < 0)
        return out;
    if (pid == 0) {
        setenv("DOCKER_HOST", dockerHost.constData(), 1);
        const QByteArray name = container.toUtf8();
        execl(docker.constData(), "docker", "exec", "-it", name.constData(), "sh",
              static_cast<char *>(nullptr));
        _exit(127);
    }
    QByteArray seen;
    const auto readUntil = [&](const QByteArray &what, int ms) {
        QElapsedTimer clock;
        clock.start();
        while (!seen.contains(what)) {
            const qint64 left = ms - clock.elapsed();
            if (left <= 0)
                return false;
            struct pollfd fd = {master, POLLIN, 0};
            if (poll(&fd, 1, int(left)) <= 0)
                continue;
            char buffer[4096];
            const ssize_t n = read(master, buffer, sizeof buffer);
            if (n <= 0)
                return false;
            seen.append(buffer, n);
        }
        return true;
    };
    if (readUntil("/ # ", 30000)) {
        for (int i = 0; i < keys; ++i) {
            usleep(kKeyGapMs * 1000);
            const char letter = char('a' + i % 26);
            seen.clear();
            QElapsedTimer clock;
            clock.start();
            if (write(master, &letter, 1) != 1 || !readUntil(QByteArray(1, letter), 5000))
                break;
            out << clock.nsecsElapsed() / 1e6;
            if (i % 20 == 19) {
                seen.clear();
                if (write(master, "\r", 1) != 1 || !readUntil("/ # ", 5000))
                    break;
            }
        }
        if (write(master, "exit\r", 5) != 5)
            std::fprintf(stderr, "could not end the docker exec shell\n");
    }
    ::close(master);
    int status = 0;
    waitpid(pid, &status, 0);
    return out;
}

struct Flood
{
    double seconds = 0;
    qint64 longestStallMs = 0;
    double longestStallCpuMs = 0; // of it, the GUI thread on a CPU (the rest: waiting to run)
    double cpuSeconds = 0;        // the GUI thread on a CPU over the whole flood
    bool complete = false;
};

double threadCpuMs()
{
    struct timespec now = {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

Flood gpudeckFlood(DockerClient *client, const QString &container)
{
    Flood out;
    TerminalView view;
    view.resize(view.cellSize().width() * 120, view.cellSize().height() * 40);
    view.show();
    ExecTerminal terminal(client, container, &view,
                          {QStringLiteral("sh"), QStringLiteral("-c"), floodCommand()});
    QElapsedTimer clock;
    qint64 lastTick = 0;
    double lastCpu = threadCpuMs();
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &tick, [&]() {
        const double cpu = threadCpuMs();
        if (clock.elapsed() - lastTick > out.longestStallMs) {
            out.longestStallMs = clock.elapsed() - lastTick;
            out.longestStallCpuMs = cpu - lastCpu;
        }
        lastTick = clock.elapsed();
        lastCpu = cpu;
    });
    const double startCpu = lastCpu;
    clock.start();
    tick.start(5);
    terminal.start();
    // The end line comes after the output: once it is on the screen, all of it was parsed.
    out.complete = waitFor(
        [&]() {
            return !terminal.isRunning()
                   && view.screen()->screenText().contains(QStringLiteral("exit code 0"));
        },
        600000);
    out.seconds = clock.nsecsElapsed() / 1e9;
    out.cpuSeconds = (threadCpuMs() - startCpu) / 1e3;
    return out;
}

double cliFlood(const QString &host, const QString &container, qint64 *bytes)
{
    QProcess process;
    process.setProcessEnvironment(cliEnvironment(host));
    *bytes = 0;
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                     [&]() { *bytes += process.readAllStandardOutput().size(); });
    QElapsedTimer clock;
    clock.start();
    process.start(dockerCli(), {QStringLiteral("exec"), QStringLiteral("-t"), container,
                                QStringLiteral("sh"), QStringLiteral("-c"), floodCommand()});
    waitFor([&]() { return process.state() == QProcess::NotRunning; }, 600000);
    *bytes += process.readAllStandardOutput().size();
    return clock.nsecsElapsed() / 1e9;
}

// The emulator alone: the flood's bytes fed to a screen (no engine, no view).
double parseSeconds()
{
    const QByteArray line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                            "0123456789\r\n";
    QByteArray chunk;
    while (chunk.size() + line.size() <= 64 * 1024)
        chunk += line;
    TerminalScreen screen(40, 120);
    QElapsedTimer clock;
    clock.start();
    // Fed as reads come, gathered up to 256 KiB, each gathering parsed at once.
    for (qint64 fed = 0; fed < kFloodBytes; fed += chunk.size())
        screen.feed(chunk);
    while (screen.pendingBytes() > 0)
        QCoreApplication::processEvents();
    return clock.nsecsElapsed() / 1e9;
}

double scrollbackMegabytes()
{
    const struct mallinfo2 before = mallinfo2();
    auto *screen = new TerminalScreen(24, 80);
    for (int i = 0; i < TerminalScreen::maxScrollback() + 24; ++i) {
        // 80 columns, two colours and bold on each line.
        QByteArray line = QStringLiteral("\x1b[1;32m%1\x1b[0m \x1b[38;5;208m").arg(i, 8).toUtf8();
        line += QByteArray(71, char('a' + i % 26)) + "\x1b[0m\r\n";
        screen->feed(line);
    }
    while (screen->pendingBytes() > 0)
        QCoreApplication::processEvents();
    const struct mallinfo2 after = mallinfo2();
    const double mb = double(after.uordblks + after.hblkhd - before.uordblks - before.hblkhd) / 1e6;
    if (screen->scrollbackSize() != TerminalScreen::maxScrollback())
        std::fprintf(stderr, "scrollback holds %d lines\n", screen->scrollbackSize());
    delete screen;
    return mb;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    std::printf("scrollback: 10,000 lines of 80 columns (colours on each) take %.1f MB of heap "
                "(target: under 50 MB)\n",
                scrollbackMegabytes());

    const double parse = parseSeconds();
    std::printf("emulator alone: 100 MiB of 74-column lines parsed in %.2f s (%.0f MB/s)\n", parse,
                kFloodBytes / 1e6 / parse);

    const QString host = qEnvironmentVariable("GPUDECK_TEST_HOST",
                                              qEnvironmentVariable("DOCKER_HOST"));
    const Result<Endpoint> endpoint = EndpointResolver::resolve(host);
    if (host.isEmpty() || !endpoint) {
        std::fprintf(stderr, "bench_terminal: set GPUDECK_TEST_HOST for the engine figures\n");
        return 2;
    }
    if (dockerCli().isEmpty()) {
        std::fprintf(stderr, "bench_terminal: no docker CLI on PATH (or GPUDECK_BENCH_DOCKER)\n");
        return 2;
    }
    std::printf("engine %s, docker CLI %s\n", qPrintable(host), qPrintable(dockerCli()));
    DockerClient client(endpoint.value());
    const QString container = QStringLiteral("gpudeck-bench-term-%1").arg(getpid());
    QProcess run;
    run.setProcessEnvironment(cliEnvironment(host));
    run.start(dockerCli(),
              {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
               QStringLiteral("none"), QStringLiteral("--name"), container, kImage,
               QStringLiteral("sleep"), QStringLiteral("3600")});
    run.waitForFinished(120000);
    if (run.exitStatus() != QProcess::NormalExit || run.exitCode() != 0) {
        std::fprintf(stderr, "docker run failed: %s\n", run.readAllStandardError().constData());
        return 1;
    }

    bool set = false;
    const int asked = qEnvironmentVariableIntValue("GPUDECK_BENCH_KEYS", &set);
    const int keys = set ? asked : 100; // 0: no keystroke figures
    const Echoes ours = gpudeckEchoes(&client, container, keys);
    const QList<double> theirs = cliEchoes(host, container, keys);
    if (keys > 0)
        std::printf(
            "keystroke to echo: GPU Deck %.2f ms median (p90 %.2f) in the screen model, "
            "%.2f ms (p90 %.2f) to the first paint after it; docker exec -it %.2f ms median "
            "(p90 %.2f) read back from its pty (%lld and %lld keys)\n",
            median(ours.model), percentile(ours.model, 0.9), median(ours.paint),
            percentile(ours.paint, 0.9), median(theirs), percentile(theirs, 0.9),
            qint64(ours.model.size()), qint64(theirs.size()));

    if (floodFromFile()) {
        // The test image has no /tmp.
        QProcess write;
        write.setProcessEnvironment(cliEnvironment(host));
        write.start(dockerCli(),
                    {QStringLiteral("exec"), container, QStringLiteral("sh"), QStringLiteral("-c"),
                     QStringLiteral("mkdir -p /tmp && ") + floodLines()
                         + QStringLiteral(" > /tmp/gpudeck-flood")});
        write.waitForFinished(120000);
        if (write.exitStatus() != QProcess::NormalExit || write.exitCode() != 0) {
            std::fprintf(stderr, "the flood's file was not written: %s\n",
                         write.readAllStandardError().constData());
            return 1;
        }
        std::printf("flood source: cat of a %lld-byte file in the container\n", kFloodBytes);
    }
    QList<double> floodOurs, floodTheirs, floodCpu;
    qint64 stall = 0;
    double stallCpu = 0;
    qint64 cliBytes = 0;
    for (int i = 0; i < 2; ++i) {
        const Flood flood = gpudeckFlood(&client, container);
        if (!flood.complete)
            std::fprintf(stderr, "GPU Deck's flood did not complete\n");
        floodOurs << flood.seconds;
        floodCpu << flood.cpuSeconds;
        if (flood.longestStallMs > stall) {
            stall = flood.longestStallMs;
            stallCpu = flood.longestStallCpuMs;
        }
        floodTheirs << cliFlood(host, container, &cliBytes);
    }
    std::printf("100 MiB of output: GPU Deck's terminal %.2f s (%.0f MB/s), docker exec -t into a "
                "pipe %.2f s (%.0f MB/s, %lld bytes with the tty's CRs); longest UI stall %lld ms, "
                "the GUI thread on a CPU for %.1f ms of it (medians of %lld)\n",
                median(floodOurs), kFloodBytes / 1e6 / median(floodOurs), median(floodTheirs),
                kFloodBytes / 1e6 / median(floodTheirs), cliBytes, stall, stallCpu,
                qint64(floodOurs.size()));
    // How near GPU Deck is to its own limit: at 100 % the GUI thread would be what holds it back.
    std::printf("GPU Deck's GUI thread was on a CPU for %.2f s of the flood's %.2f s (%.0f %%): on "
                "its own it would carry %.0f MB/s\n",
                median(floodCpu), median(floodOurs), 100 * median(floodCpu) / median(floodOurs),
                kFloodBytes / 1e6 / median(floodCpu));

    QProcess::execute(dockerCli(),
                      {QStringLiteral("-H"), qEnvironmentVariable("GPUDECK_BENCH_CLI_HOST", host),
                       QStringLiteral("rm"), QStringLiteral("-f"), container});
    return 0;
}
