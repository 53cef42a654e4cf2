// The engine dying under `gpudeck run`: a dockerd of the test's own is SIGKILLed while a launch
// streams its container's output. The run must end within seconds with one sentence that says the
// engine stopped answering, that the container may still run there, and how to find it again.
#include "TestEngine.h"

#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

class TestEngineLost : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void runSaysTheEngineStoppedAnswering();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_engineDir;
    QString m_host;
};

void TestEngineLost::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_engineDir = m_dir->filePath(QStringLiteral("engine"));
    const TestEngine::CliResult started = TestEngine::startOwnEngine(m_engineDir, {});
    QVERIFY2(started.exitCode == 0, started.err.constData());
    m_host = QString::fromUtf8(started.out.trimmed().split('\n').last());
    QVERIFY2(m_host.startsWith(QLatin1String("unix://")), qPrintable(m_host));
}

void TestEngineLost::cleanupTestCase()
{
    if (!m_engineDir.isEmpty())
        TestEngine::stopOwnEngine(m_engineDir);
}

void TestEngineLost::runSaysTheEngineStoppedAnswering()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("while true; do echo tick; sleep 0.1; done")};
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = false;
    spec.containerName = QStringLiteral("gpudeck-lost-%1").arg(QCoreApplication::applicationPid());
    const QString preset = m_dir->filePath(QStringLiteral("lost.json"));
    QVERIFY(PresetStore::writeFile(preset, Preset(QStringLiteral("lost"), spec).toFileBytes()));

    QProcess run;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), m_host);
    run.setProcessEnvironment(env);
    run.start(QStringLiteral(GPUDECK_BINARY),
              {QStringLiteral("run"), QStringLiteral("--preset"), preset});
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += run.readAllStandardOutput()).contains("tick\ntick\n"), 30000);

    QFile pidFile(m_engineDir + QStringLiteral("/dockerd.pid"));
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    const qint64 pid = pidFile.readAll().trimmed().toLongLong();
    QVERIFY(pid > 0);
    ::kill(pid_t(pid), SIGKILL);
    QVERIFY(run.waitForFinished(15000));
    const QString err = QString::fromUtf8(run.readAllStandardError());
    QCOMPARE(run.exitCode(), 125);
    QVERIFY2(err.contains(QLatin1String("the engine stopped answering")), qPrintable(err));
    QVERIFY2(err.contains(spec.containerName + QLatin1String(" may still be running")),
             qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("logs -f ") + spec.containerName), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 1); // one sentence
}

QTEST_GUILESS_MAIN(TestEngineLost)
#include "tst_enginelost.moc"
