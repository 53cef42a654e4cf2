// bench_window: the window's figures against the sandboxed engine (GPUDECK_TEST_HOST), printed,
// never asserted (timings want a quiet machine):
//   - process start to window shown with GPUs (fake NVML, 8) and 1,000 images filled
//   - under an output flood: longest event-loop stall, RSS after the flood, and how many bytes
//     per second the log tab takes in against what the stream delivers to a launcher alone
//   - many launches and tab closes in one window: file descriptors, RSS growth per launch, and
//     containers left behind (target: fds flat, RSS growth < 5 MB over 500, none left)
// GPUDECK_BENCH_FLOOD_MB (default 1024) sets the flood; GPUDECK_BENCH_IMAGES (default 1000);
// GPUDECK_BENCH_LAUNCHES (default 500) the launches; --launches runs only those.
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpus/GpuPanel.h"
#include "images/ImageList.h"
#include "launch/Launcher.h"
#include "log/LogPage.h"
#include "log/LogView.h"
#include "window/MainWindow.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

namespace {

QString host()
{
    return qEnvironmentVariable("GPUDECK_TEST_HOST");
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

qint64 procStatusKb(const char *key)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(qstrlen(key)).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

LaunchSpec floodSpec(qint64 bytes)
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("yes 0123456789abcdef | head -c %1").arg(bytes)};
    spec.networkMode = QStringLiteral("none");
    return spec;
}

// Tags the test image as bench/img:1..n through the API, eight calls in flight.
void ensureImages(DockerClient *client, int n)
{
    QEventLoop loop;
    int next = 1;
    int inFlight = 0;
    int failed = 0;
    std::function<void()> pump = [&]() {
        while (inFlight < 8 && next <= n) {
            const int i = next++;
            ++inFlight;
            client->call(
                "POST",
                QStringLiteral("/images/gpudeck-test:latest/tag?repo=bench/img&tag=%1").arg(i), {},
                QStringLiteral("tag"), &loop, [&](const Result<QByteArray> &r) {
                    --inFlight;
                    if (!r)
                        ++failed;
                    pump();
                    if (inFlight == 0 && next > n)
                        loop.quit();
                });
        }
    };
    pump();
    if (inFlight > 0)
        loop.exec();
    if (failed)
        std::printf("warning: %d tags failed\n", failed);
}

int startupChild()
{
    const qint64 t0 = qEnvironmentVariable("GPUDECK_BENCH_T0").toLongLong();
    const int images = envInt("GPUDECK_BENCH_IMAGES", 1000);
    MainWindow window(host());
    window.show();
    QTimer poll;
    poll.setInterval(1);
    QObject::connect(&poll, &QTimer::timeout, &window, [&]() {
        if (window.isVisible() && window.gpuPanel()->gpuCount() > 0
            && window.imageList()->imageCount() >= images) {
            std::printf("READY %lld\n", QDateTime::currentMSecsSinceEpoch() - t0);
            std::fflush(stdout);
            QCoreApplication::exit(0);
        }
    });
    poll.start();
    QTimer::singleShot(30000, qApp, []() { QCoreApplication::exit(1); });
    return QApplication::exec();
}

void benchStartup(const QString &self)
{
    const int images = envInt("GPUDECK_BENCH_IMAGES", 1000);
    QList<qint64> times;
    for (int run = 0; run < 5; ++run) {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("GPUDECK_BENCH_T0"),
                   QString::number(QDateTime::currentMSecsSinceEpoch()));
        child.setProcessEnvironment(env);
        child.start(self, {QStringLiteral("--startup")});
        child.waitForFinished(60000);
        const QByteArray out = child.readAllStandardOutput();
        const qsizetype at = out.indexOf("READY ");
        if (at < 0) {
            std::printf("startup run %d failed: %s\n", run,
                        child.readAllStandardError().constData());
            continue;
        }
        times.append(out.mid(at + 6).trimmed().toLongLong());
    }
    std::sort(times.begin(), times.end());
    QStringList all;
    for (qint64 t : times)
        all << QString::number(t);
    std::printf("startup: process start to window shown with %d GPUs and %d images: median %lld ms "
                "(runs: %s ms; target < 500 ms)\n",
                8, images, times.isEmpty() ? -1LL : times.at(times.size() / 2),
                qPrintable(all.join(QStringLiteral(", "))));
}

// A launcher alone: what the engine and the stream deliver with no window.
double baselineRate(DockerClient *client, qint64 bytes)
{
    Launcher launcher(client);
    qint64 received = 0;
    QObject::connect(&launcher, &Launcher::output, &launcher,
                     [&](StreamDemuxer::Channel, const QByteArray &data) {
                         received += data.size();
                     });
    QEventLoop loop;
    QObject::connect(&launcher, &Launcher::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    launcher.launch(floodSpec(bytes));
    loop.exec();
    const double seconds = clock.elapsed() / 1000.0;
    std::printf("baseline: launcher alone received %.1f MB in %.2f s = %.1f MB/s\n", received / 1e6,
                seconds, received / 1e6 / seconds);
    return received / seconds;
}

void benchFlood(qint64 bytes, double baseline)
{
    MainWindow window(host());
    window.show();
    QElapsedTimer sinceTick;
    qint64 longest = 0;
    QList<qint64> gaps;
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, &window, [&]() {
        const qint64 gap = sinceTick.restart();
        longest = qMax(longest, gap);
        gaps.append(gap);
    });
    QEventLoop settle;
    QTimer::singleShot(1500, &settle, &QEventLoop::quit);
    settle.exec();

    LogPage *page = window.logView()->launch(window.client(), floodSpec(bytes));
    QEventLoop loop;
    QObject::connect(page->launcher(), &Launcher::finished, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    sinceTick.start();
    ticker.start();
    loop.exec();
    ticker.stop();
    const double seconds = clock.elapsed() / 1000.0;
    std::sort(gaps.begin(), gaps.end());
    const qint64 p99 = gaps.isEmpty() ? -1 : gaps.at(gaps.size() * 99 / 100);
    std::printf("flood: %.1f MB through the window in %.2f s = %.1f MB/s taken in by the log tab "
                "(%.0f%% of the launcher-alone rate; target >= 95%%)\n",
                page->bytesReceived() / 1e6, seconds, page->bytesReceived() / 1e6 / seconds,
                baseline > 0 ? 100.0 * page->bytesReceived() / seconds / baseline : 0.0);
    std::printf(
        "flood: rendered into the document %.1f MB, skipped %.1f MB (older lines of a batch "
        "over its budget; the %d-line cap drops them within a fraction of a second anyway); "
        "document %d blocks, batch budget settled at %d lines\n",
        page->bytesRendered() / 1e6, page->bytesSkipped() / 1e6, LogPage::DefaultMaxBlocks,
        page->textEdit()->blockCount(), page->batchLines());
    std::printf(
        "flood: longest event-loop stall %lld ms, 99th percentile %lld ms (1 ms timer; target "
        "< 50 ms)\n",
        longest, p99);
    std::printf("memory: RSS after %.0f MB of output %lld MB, peak %lld MB (target < 200 MB)\n",
                bytes / 1e6, procStatusKb("VmRSS:") / 1024, procStatusKb("VmHWM:") / 1024);
}

int openFds()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System).size());
}

int containerCount(DockerClient *client)
{
    int count = -1;
    QEventLoop loop;
    client->listContainers(true, {}, client, [&](const Result<QJsonArray> &r) {
        count = r ? int(r.value().size()) : -1;
        loop.quit();
    });
    loop.exec();
    return count;
}

// Launch after launch in one window, each tab closed once its container has exited: what each
// launch leaves behind in file descriptors and memory, and whether any container stays.
void benchLaunches(DockerClient *client, int launches)
{
    MainWindow window(host());
    window.show();
    QEventLoop settle;
    QTimer::singleShot(1500, &settle, &QEventLoop::quit);
    settle.exec();
    const int containersBefore = containerCount(client);

    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("0")});
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = true;

    constexpr int warmUp = 20; // caches, fonts and the engine's first answers settle first
    int fdsWarm = 0;
    qint64 rssWarmKb = 0;
    int failed = 0;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < launches; ++i) {
        LogPage *page = window.logView()->launch(window.client(), spec);
        QEventLoop loop;
        QObject::connect(page->launcher(), &Launcher::finished, &loop, &QEventLoop::quit);
        loop.exec();
        if (page->launcher()->state() != Launcher::State::Exited)
            ++failed;
        window.logView()->closeTab(window.logView()->count() - 1);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (i + 1 == warmUp) {
            fdsWarm = openFds();
            rssWarmKb = procStatusKb("VmRSS:");
        }
    }
    // The engine removes --rm containers on its own; give it a moment to finish.
    QEventLoop drain;
    QTimer::singleShot(1000, &drain, &QEventLoop::quit);
    drain.exec();
    const int fdsEnd = openFds();
    const qint64 rssEndKb = procStatusKb("VmRSS:");
    const int counted = launches - warmUp;
    std::printf("launches: %d launches and tab closes in %.1f s (%d not exited normally)\n",
                launches, clock.elapsed() / 1000.0, failed);
    std::printf("launches: file descriptors %d after %d, %d after %d (target: flat)\n", fdsWarm,
                warmUp, fdsEnd, launches);
    std::printf("launches: RSS %.1f MB after %d, %.1f MB after %d: %+.1f MB, %.1f KB per launch "
                "(target < 5 MB over 500)\n",
                rssWarmKb / 1024.0, warmUp, rssEndKb / 1024.0, launches,
                (rssEndKb - rssWarmKb) / 1024.0,
                counted > 0 ? double(rssEndKb - rssWarmKb) / counted : 0.0);
    std::printf("launches: containers on the engine %d before, %d after (target: none left)\n",
                containersBefore, containerCount(client));
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QTemporaryDir settings;
    QCoreApplication::setOrganizationName(QStringLiteral("gpudeck-bench"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       qEnvironmentVariable("GPUDECK_BENCH_SETTINGS", settings.path()));
    qputenv("GPUDECK_BENCH_SETTINGS", settings.path().toUtf8());
    qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
    qputenv("GPUDECK_FAKE_NVML_SCENARIO", "eight");
    if (host().isEmpty()) {
        std::fprintf(stderr, "bench_window: set GPUDECK_TEST_HOST (tests/scripts/test-engine.sh "
                             "start DIR prints it)\n");
        return 2;
    }
    if (app.arguments().contains(QStringLiteral("--startup")))
        return startupChild();

    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(host(), QStringLiteral("bench"));
    if (!endpoint) {
        std::fprintf(stderr, "%s\n", qPrintable(endpoint.error().message()));
        return 2;
    }
    DockerClient client(endpoint.value());
    const int launches = envInt("GPUDECK_BENCH_LAUNCHES", 500);
    if (app.arguments().contains(QStringLiteral("--launches"))) {
        benchLaunches(&client, launches);
        return 0;
    }
    const int images = envInt("GPUDECK_BENCH_IMAGES", 1000);
    QElapsedTimer tagging;
    tagging.start();
    ensureImages(&client, images);
    std::printf("setup: %d image tags in %lld ms\n", images, tagging.elapsed());
    std::fflush(stdout);
    benchStartup(app.applicationFilePath());
    std::fflush(stdout);

    const qint64 bytes = qint64(envInt("GPUDECK_BENCH_FLOOD_MB", 1024)) * 1024 * 1024;
    const double baseline = baselineRate(&client, bytes);
    std::fflush(stdout);
    benchFlood(bytes, baseline);
    std::fflush(stdout);
    benchLaunches(&client, launches);
    return 0;
}
