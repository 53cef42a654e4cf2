#include "FakeSmi.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <functional>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

// `gpudeck gpus` end to end: the built binary, with the NVML override in its environment.
namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Run gpudeck(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(GPUDECK_BINARY), QStringList{QStringLiteral("gpus")} + args);
    Run r;
    if (!p.waitForFinished(20000))
        return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QProcessEnvironment fakeNvml(const QString &scenario)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), scenario);
    return env;
}

QProcessEnvironment noDriver(const QString &emptyDir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("PATH"), emptyDir);
    return env;
}

} // namespace

class TestGpusCommand : public QObject
{
    Q_OBJECT
private slots:
    void jsonCarriesEveryField();
    void tableIsReadable();
    void noDriverTable();
    void noDriverJson();
    void badOption();
    void watchWithoutTerminalPrintsEachInterval();
    void watchOnTerminalRedrawsAndRestores();
    void watchBadInterval_data();
    void watchBadInterval();
};

void TestGpusCommand::jsonCarriesEveryField()
{
    const Run r = gpudeck({QStringLiteral("--json")}, fakeNvml(QStringLiteral("mig")));
    QCOMPARE(r.code, 0);
    QJsonParseError pe;
    const QJsonObject o = QJsonDocument::fromJson(r.out, &pe).object();
    QCOMPARE(pe.error, QJsonParseError::NoError);
    QCOMPARE(o.value(QStringLiteral("source")).toString(), QStringLiteral("nvml"));
    QCOMPARE(o.value(QStringLiteral("driverVersion")).toString(), QStringLiteral("580.159.04"));
    QCOMPARE(o.value(QStringLiteral("cudaVersion")).toString(), QStringLiteral("13.0"));
    QVERIFY(o.value(QStringLiteral("error")).isNull());
    const QJsonArray gpus = o.value(QStringLiteral("gpus")).toArray();
    QCOMPARE(gpus.size(), 2);
    const QJsonObject g = gpus.at(0).toObject();
    for (const char *key :
         {"index", "uuid", "name", "pciBusId", "minorNumber", "memoryTotalBytes", "memoryUsedBytes",
          "gpuUtilPercent", "memUtilPercent", "temperatureC", "powerDrawW", "powerLimitW",
          "migMode", "migDevices", "processes", "error"})
        QVERIFY2(g.contains(QLatin1String(key)), key);
    QCOMPARE(g.value(QStringLiteral("memoryTotalBytes")).toDouble(), 81559.0 * 1024 * 1024);
    QCOMPARE(g.value(QStringLiteral("powerDrawW")).toDouble(), 72.97);
    QCOMPARE(g.value(QStringLiteral("minorNumber")).toInt(-1), 0);
    QCOMPARE(g.value(QStringLiteral("migMode")).toString(), QStringLiteral("enabled"));
    const QJsonObject mig = g.value(QStringLiteral("migDevices")).toArray().at(1).toObject();
    QCOMPARE(mig.value(QStringLiteral("indexName")).toString(), QStringLiteral("0:2"));
    QVERIFY(mig.value(QStringLiteral("uuid")).toString().startsWith(QLatin1String("MIG-")));
    QVERIFY(g.value(QStringLiteral("processes")).isArray());
}

void TestGpusCommand::tableIsReadable()
{
    const Run r = gpudeck({}, fakeNvml(QStringLiteral("eight")));
    QCOMPARE(r.code, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QLatin1String("NVIDIA driver 580.159.04, CUDA 13.0")), r.out.constData());
    QVERIFY(out.contains(QLatin1String("GPU-00000000-0000-0000-0000-000000000070")));
    QVERIFY(out.contains(QLatin1String("1024 / 81559 MiB")));
    QCOMPARE(out.count(QLatin1String("NVIDIA H100 80GB HBM3")), 8);
    QVERIFY(r.err.isEmpty());
}

void TestGpusCommand::noDriverTable()
{
    QTemporaryDir empty;
    const Run r = gpudeck({}, noDriver(empty.path()));
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith("gpudeck: no NVIDIA driver found: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1); // one sentence
}

void TestGpusCommand::noDriverJson()
{
    QTemporaryDir empty;
    const Run r = gpudeck({QStringLiteral("--json")}, noDriver(empty.path()));
    QCOMPARE(r.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("source")).toString(), QStringLiteral("none"));
    QCOMPARE(o.value(QStringLiteral("gpus")).toArray().size(), 0);
    const QJsonObject e = o.value(QStringLiteral("error")).toObject();
    QCOMPARE(e.value(QStringLiteral("code")).toString(), QStringLiteral("NoDriver"));
    QVERIFY(e.value(QStringLiteral("message"))
                .toString()
                .startsWith(QLatin1String("no NVIDIA driver found: ")));
}

void TestGpusCommand::badOption()
{
    const Run r = gpudeck({QStringLiteral("--yaml")}, fakeNvml(QStringLiteral("two")));
    QCOMPARE(r.code, 2);
}

void TestGpusCommand::watchWithoutTerminalPrintsEachInterval()
{
    QProcess p;
    p.setProcessEnvironment(fakeNvml(QStringLiteral("two")));
    p.start(QStringLiteral(GPUDECK_BINARY), {QStringLiteral("gpus"), QStringLiteral("--watch"),
                                             QStringLiteral("-n"), QStringLiteral("0.2")});
    QVERIFY(p.waitForStarted());
    QByteArray out;
    QElapsedTimer clock;
    clock.start();
    // Three snapshots at 0.2 s apart: well within the deadline, and no redraw escapes in a pipe.
    while (out.count("NVIDIA driver 580.159.04") < 3 && clock.elapsed() < 15000) {
        p.waitForReadyRead(500);
        out += p.readAllStandardOutput();
    }
    const qint64 took = clock.elapsed();
    p.terminate();
    QVERIFY(p.waitForFinished(5000));
    out += p.readAllStandardOutput();
    QVERIFY2(out.count("NVIDIA driver 580.159.04") >= 3, out.constData());
    QVERIFY2(took >= 300, qPrintable(QString::number(took))); // not all at once
    QCOMPARE(out.count("Every 0.2 s: gpudeck gpus"), out.count("NVIDIA driver 580.159.04"));
    QVERIFY(!out.contains('\x1b'));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit); // SIGTERM ends it cleanly
    QCOMPARE(p.exitCode(), 0);
}

void TestGpusCommand::watchOnTerminalRedrawsAndRestores()
{
    // The environment made before the fork: the child only calls exec.
    QList<QByteArray> entries;
    for (const QString &e : fakeNvml(QStringLiteral("two")).toStringList())
        entries << e.toLocal8Bit();
    std::vector<char *> envp;
    for (QByteArray &e : entries)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    char *const argv[] = {const_cast<char *>(GPUDECK_BINARY), const_cast<char *>("gpus"),
                          const_cast<char *>("--watch"),      const_cast<char *>("-n"),
                          const_cast<char *>("0.2"),          nullptr};
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    QVERIFY(pid >= 0);
    if (pid == 0) {
        ::execve(GPUDECK_BINARY, argv, envp.data());
        ::_exit(127);
    }
    QByteArray out;
    // Reads until done(out) or the deadline.
    const auto readUntil = [&](const std::function<bool()> &done, int ms) {
        QElapsedTimer clock;
        clock.start();
        while (!done() && clock.elapsed() < ms) {
            pollfd fd{master, POLLIN, 0};
            if (::poll(&fd, 1, 200) > 0) {
                char buf[4096];
                const ssize_t n = ::read(master, buf, sizeof buf);
                if (n <= 0)
                    break;
                out.append(buf, n);
            }
        }
        return done();
    };
    // The alternate screen, then the table drawn from the top twice more.
    const bool drawn = readUntil([&]() { return out.contains("\x1b[?1049h"); }, 15000);
    const bool redrawn = readUntil(
        [&]() { return out.count("\x1b[H") >= 3 && out.count("NVIDIA driver") >= 2; }, 15000);
    const char ctrlC = 3; // the terminal turns it into SIGINT for the foreground process
    [[maybe_unused]] const ssize_t w = ::write(master, &ctrlC, 1);
    const bool restored = readUntil([&]() { return out.contains("\x1b[?1049l"); }, 10000);
    int status = -1;
    QElapsedTimer clock;
    clock.start();
    while (::waitpid(pid, &status, WNOHANG) == 0 && clock.elapsed() < 10000)
        QTest::qWait(50);
    ::close(master);
    if (!WIFEXITED(status))
        ::kill(pid, SIGKILL);
    QVERIFY2(drawn, out.constData());
    QVERIFY2(redrawn, out.constData());
    QVERIFY2(out.contains("GPU-00000000-0000-0000-0000-000000000010"), out.constData());
    QVERIFY2(restored, out.constData());
    QVERIFY(out.indexOf("\x1b[?25h") > out.indexOf("NVIDIA driver")); // the cursor is back
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
}

void TestGpusCommand::watchBadInterval_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("-n without --watch") << QStringList{QStringLiteral("-n"), QStringLiteral("1")};
    QTest::newRow("-n 0") << QStringList{QStringLiteral("--watch"), QStringLiteral("-n"),
                                         QStringLiteral("0")};
    QTest::newRow("-n missing") << QStringList{QStringLiteral("--watch"), QStringLiteral("-n")};
    QTest::newRow("--watch --json")
        << QStringList{QStringLiteral("--watch"), QStringLiteral("--json")};
}

void TestGpusCommand::watchBadInterval()
{
    QFETCH(QStringList, args);
    const Run r = gpudeck(args, fakeNvml(QStringLiteral("two")));
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.startsWith("gpudeck: gpus: "), r.err.constData()); // the sentence, then --help
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestGpusCommand)
#include "tst_gpuscommand.moc"
