// A shared GPU host (issue 27), with `gpudeck run` processes against the real engine and two
// stand-in GPUs (a fake nvidia-smi, also on the ssh side's PATH): two "Free 1 GPU" runs started
// together never share a GPU and are never both refused while one is free (one of them over
// ssh:// in cli_ledger.ssh); --wait waits while a docker-CLI container holds the GPUs and starts
// within 3 s once it exits; --timeout gives 125 naming the holder; Ctrl+C while waiting leaves
// nothing behind; usage errors exit 2.
#include "FakeSmi.h"
#include "TestEngine.h"

#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

QByteArray visibleDevices(const QByteArray &out)
{
    static const QRegularExpression line(QStringLiteral("NVIDIA_VISIBLE_DEVICES=(\\S*)"));
    return line.match(QString::fromUtf8(out)).captured(1).toUtf8();
}

} // namespace

class TestLedger : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void twoRunsTogetherNeverShareAGpu();
    void aWaitingRunStartsSoonAfterTheHolderExits();
    void theTimeoutNamesTheHolder();
    void interruptedWhileWaitingLeavesNothingBehind();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();

private:
    QString writePreset(const QString &name, const QStringList &command, const GpuSelection &gpus);
    // gpudeck -H host run ARGS, started (not waited for).
    QProcess *start(const QString &host, const QStringList &args);
    // A docker-CLI container holding both stand-in GPUs; its name.
    QString startHolder();
    QByteArray containersOfPreset(const QString &preset);

    QTemporaryDir m_dir;
    FakeSmi m_smi;
    QString m_remoteSmi; // the stand-in on the ssh side's PATH
    QString m_free1;     // "Free 1 GPU", holds it for a second
    QString m_quick;     // "Free 1 GPU", nvidia-smi only
    QStringList m_holders;
};

void TestLedger::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    m_smi.writeTwoIdleGpus();
    // Over ssh the host's nvidia-smi is the one on the remote PATH: the same stand-in.
    const QString sshDir = qEnvironmentVariable("GPUDECK_TEST_SSH_DIR");
    if (TestEngine::host().startsWith(QLatin1String("ssh://")) && !sshDir.isEmpty()) {
        m_remoteSmi = sshDir + QStringLiteral("/remote-bin/nvidia-smi");
        QFile wrapper(m_remoteSmi);
        QVERIFY(wrapper.open(QIODevice::WriteOnly));
        wrapper.write("#!/bin/sh\nexec '" + QFile::encodeName(m_smi.path()) + "' \"$@\"\n");
        wrapper.close();
        wrapper.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                               | QFileDevice::ExeOwner);
    } else if (TestEngine::isRemote()) {
        QSKIP("the stand-in GPUs are read on this machine or over ssh only");
    }
    m_free1 = writePreset(QStringLiteral("ledger free one"),
                          {QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("nvidia-smi; sleep 1")},
                          GpuSelection::ofFree(1));
    m_quick = writePreset(QStringLiteral("ledger quick"), {QStringLiteral("nvidia-smi")},
                          GpuSelection::ofFree(1));
    QVERIFY(!m_free1.isEmpty() && !m_quick.isEmpty());
}

void TestLedger::cleanupTestCase()
{
    if (!m_remoteSmi.isEmpty())
        QFile::remove(m_remoteSmi);
}

// A failed test leaves neither a run nor its container behind for the next one.
void TestLedger::cleanup()
{
    for (QProcess *run : findChildren<QProcess *>()) {
        if (run->state() != QProcess::NotRunning) {
            run->kill();
            run->waitForFinished(15000);
        }
        delete run;
    }
    QStringList left;
    for (const QString &preset :
         {QStringLiteral("ledger quick"), QStringLiteral("ledger free one")})
        left << QString::fromUtf8(containersOfPreset(preset))
                    .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    m_holders << left;
    if (!m_holders.isEmpty())
        TestEngine::docker(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + m_holders);
    m_holders.clear();
}

QString TestLedger::writePreset(const QString &name, const QStringList &command,
                                const GpuSelection &gpus)
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = command;
    spec.gpus = gpus;
    spec.networkMode = QStringLiteral("none");
    const QString path = m_dir.filePath(PresetStore::slug(name) + QStringLiteral(".json"));
    return PresetStore::writeFile(path, Preset(name, spec).toFileBytes()) ? path : QString();
}

QProcess *TestLedger::start(const QString &host, const QStringList &args)
{
    auto *process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("PATH"),
               m_smi.dir() + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
    process->setProcessEnvironment(env);
    process->start(QStringLiteral(GPUDECK_BINARY),
                   QStringList{QStringLiteral("-H"), host, QStringLiteral("run")} + args);
    return process;
}

QString TestLedger::startHolder()
{
    const QString name = QStringLiteral("ledger-holder-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(m_holders.size());
    m_holders << name;
    const TestEngine::CliResult started = TestEngine::docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), name,
         QStringLiteral("--network"), QStringLiteral("none"), QStringLiteral("--gpus"),
         QStringLiteral("\"device=GPU-aaaa,GPU-bbbb\""), kImage, QStringLiteral("sleep"),
         QStringLiteral("60")});
    return started.exitCode == 0 ? name : QString();
}

QByteArray TestLedger::containersOfPreset(const QString &preset)
{
    return TestEngine::docker({QStringLiteral("ps"), QStringLiteral("-aq"),
                               QStringLiteral("--filter"),
                               QStringLiteral("label=io.github.gpudeck.preset=") + preset})
        .out.trimmed();
}

// 20 rounds of two "Free 1 GPU" runs started at the same moment (one through host(), ssh:// in
// cli_ledger.ssh; one through the local socket): both run, on different GPUs, although each
// process alone would have taken GPU 0.
void TestLedger::twoRunsTogetherNeverShareAGpu()
{
    int gaveWay = 0;
    for (int round = 0; round < 20; ++round) {
        QProcess *a = start(TestEngine::host(), {QStringLiteral("--preset"), m_free1});
        QProcess *b = start(TestEngine::dockerHost(), {QStringLiteral("--preset"), m_free1});
        QVERIFY(a->waitForFinished(60000));
        QVERIFY(b->waitForFinished(60000));
        const QByteArray outA = a->readAllStandardOutput();
        const QByteArray outB = b->readAllStandardOutput();
        const QByteArray errA = a->readAllStandardError();
        const QByteArray errB = b->readAllStandardError();
        const QByteArray both = "round " + QByteArray::number(round) + "\nA: " + outA + errA
                                + "\nB: " + outB + errB;
        QVERIFY2(a->exitCode() == 0 && b->exitCode() == 0, both.constData());
        const QByteArray gpuA = visibleDevices(outA);
        const QByteArray gpuB = visibleDevices(outB);
        QVERIFY2(gpuA.startsWith("GPU-") && gpuB.startsWith("GPU-"), both.constData());
        QVERIFY2(gpuA != gpuB, both.constData());
        gaveWay += int(errA.count("gave way") + errB.count("gave way"));
        delete a;
        delete b;
    }
    qInfo("gave way %d times in 20 rounds", gaveWay);
}

// A docker-CLI container holds both GPUs: --wait says so and waits; once the holder is gone the
// run starts within 3 s.
void TestLedger::aWaitingRunStartsSoonAfterTheHolderExits()
{
    const QString holder = startHolder();
    QVERIFY(!holder.isEmpty());
    QProcess *run = start(TestEngine::host(),
                          {QStringLiteral("--preset"), m_quick, QStringLiteral("--wait")});
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += run->readAllStandardError()).contains('\n'), 30000);
    QVERIFY2(err.startsWith("gpudeck: waiting for 1 free GPU (next in line): "), err.constData());
    QVERIFY2(err.contains(holder.toUtf8()), err.constData());
    QCOMPARE(err.count('\n'), 1);
    // Still waiting a while later, and nothing created meanwhile.
    QVERIFY(!run->waitForFinished(2000));
    QCOMPARE(containersOfPreset(QStringLiteral("ledger quick")), QByteArray());

    QVERIFY(TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), holder}).exitCode == 0);
    QElapsedTimer sinceExit;
    sinceExit.start();
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += run->readAllStandardOutput()).contains("NVIDIA_VISIBLE"),
                             10000);
    const qint64 ms = sinceExit.elapsed();
    qInfo("the waiting run printed %lld ms after the holder was removed", ms);
    QVERIFY2(ms < 3000, qPrintable(QString::number(ms)));
    // It may have ended while the output was awaited: waitForFinished() is false then.
    QVERIFY(run->state() == QProcess::NotRunning || run->waitForFinished(30000));
    QCOMPARE(run->exitCode(), 0);
    QVERIFY(visibleDevices(out).startsWith("GPU-"));
    delete run;
}

void TestLedger::theTimeoutNamesTheHolder()
{
    const QString holder = startHolder();
    QVERIFY(!holder.isEmpty());
    QElapsedTimer timer;
    timer.start();
    QProcess *run = start(TestEngine::host(),
                          {QStringLiteral("--preset"), m_quick, QStringLiteral("--wait"),
                           QStringLiteral("--timeout"), QStringLiteral("2s")});
    QVERIFY(run->waitForFinished(30000));
    const qint64 ms = timer.elapsed();
    const QByteArray err = run->readAllStandardError();
    QCOMPARE(run->exitCode(), 125);
    QVERIFY2(ms >= 2000, qPrintable(QString::number(ms)));
    QVERIFY2(err.contains("Gave up waiting for 1 free GPU after 2s"), err.constData());
    const QList<QByteArray> lines = err.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.last().contains(holder.toUtf8()), err.constData());
    QCOMPARE(run->readAllStandardOutput(), QByteArray());
    QCOMPARE(containersOfPreset(QStringLiteral("ledger quick")), QByteArray());
    delete run;
}

void TestLedger::interruptedWhileWaitingLeavesNothingBehind()
{
    QVERIFY(!startHolder().isEmpty());
    QProcess *run = start(TestEngine::host(),
                          {QStringLiteral("--preset"), m_quick, QStringLiteral("--wait")});
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += run->readAllStandardError()).contains("waiting for"), 30000);
    ::kill(pid_t(run->processId()), SIGINT);
    QVERIFY(run->waitForFinished(15000));
    QCOMPARE(run->exitStatus(), QProcess::NormalExit);
    QVERIFY(run->exitCode() != 0);
    QCOMPARE(containersOfPreset(QStringLiteral("ledger quick")), QByteArray());
    delete run;
}

void TestLedger::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("timeout without wait")
        << QStringList{QStringLiteral("--timeout"), QStringLiteral("5s")}
        << QByteArray("'--timeout' goes with '--wait'");
    QTest::newRow("not a duration")
        << QStringList{QStringLiteral("--wait"), QStringLiteral("--timeout"),
                       QStringLiteral("soon")}
        << QByteArray("--timeout soon: not a duration");
}

void TestLedger::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, message);
    QProcess *run = start(TestEngine::host(),
                          QStringList{QStringLiteral("--preset"), m_quick} + args);
    QVERIFY(run->waitForFinished(15000));
    QCOMPARE(run->exitCode(), 2);
    const QByteArray err = run->readAllStandardError();
    QVERIFY2(err.contains(message), err.constData());
    delete run;

    // A preset of fixed GPUs has nothing to wait for.
    const QString fixed = writePreset(QStringLiteral("ledger fixed"),
                                      {QStringLiteral("nvidia-smi")},
                                      GpuSelection::ofDevices({QStringLiteral("0")}));
    QProcess *wait = start(TestEngine::host(),
                           {QStringLiteral("--preset"), fixed, QStringLiteral("--wait")});
    QVERIFY(wait->waitForFinished(15000));
    QCOMPARE(wait->exitCode(), 2);
    QVERIFY(wait->readAllStandardError().contains("'--wait' is for presets that take free GPUs"));
    delete wait;
}

QTEST_GUILESS_MAIN(TestLedger)
#include "tst_ledger.moc"
