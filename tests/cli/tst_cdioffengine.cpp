// Docker 25 to 28.1 as installed: CDI is there but off until daemon.json turns on the "cdi"
// feature. Debian trixie's dockerd 26 started by this test without it (and with the stand-in
// NVIDIA hook). The doctor says CDI is off and how to turn it on, failing only when a preset uses
// CDI devices; a CDI launch there ends with 125 and the same advice instead of "the toolkit is
// missing", and leaves no container; a legacy GPU launch still runs.
#include "DoctorReport.h"
#include "TestEngine.h"

#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

class TestCdiOffEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void doctorSaysHowToTurnCdiOn();
    void cdiLaunchSaysCdiIsOff();
    void legacyLaunchStillRuns();

private:
    QString writePreset(const QString &dir, const QString &name, const LaunchSpec &spec) const;
    TestEngine::CliResult gpudeck(const QStringList &args, const QString &presetDir) const;
    static LaunchSpec gpuSpec(bool cdi);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_engineDir;
    QString m_host;
};

void TestCdiOffEngine::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY2(!qEnvironmentVariable("GPUDECK_TEST_TRIXIE_DIR").isEmpty(),
             "run through ctest: the test needs dockerd 26");
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_engineDir = m_dir->filePath(QStringLiteral("engine"));
    QProcessEnvironment settings;
    settings.insert(QStringLiteral("GPUDECK_TEST_ENGINE_CDI"), QStringLiteral("1"));
    settings.insert(QStringLiteral("GPUDECK_TEST_ENGINE_CDI_OFF"), QStringLiteral("1"));
    const TestEngine::CliResult started = TestEngine::startOwnEngine(m_engineDir, settings);
    QVERIFY2(started.exitCode == 0, started.err.constData());
    m_host = QString::fromUtf8(started.out.trimmed().split('\n').last());
    QVERIFY2(m_host.startsWith(QLatin1String("unix://")), qPrintable(m_host));
    for (const char *dir : {"none", "cdi", "legacy"})
        QVERIFY(QDir(m_dir->path()).mkpath(QString::fromLatin1(dir)));
}

void TestCdiOffEngine::cleanupTestCase()
{
    if (!m_engineDir.isEmpty())
        TestEngine::stopOwnEngine(m_engineDir);
}

LaunchSpec TestCdiOffEngine::gpuSpec(bool cdi)
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.networkMode = QStringLiteral("none");
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("0")});
    if (cdi)
        spec.deviceDriver = QStringLiteral("cdi");
    return spec;
}

QString TestCdiOffEngine::writePreset(const QString &dir, const QString &name,
                                      const LaunchSpec &spec) const
{
    const QString path = m_dir->filePath(dir + QLatin1Char('/') + PresetStore::slug(name)
                                         + QStringLiteral(".json"));
    return PresetStore::writeFile(path, Preset(name, spec).toFileBytes()) ? path : QString();
}

TestEngine::CliResult TestCdiOffEngine::gpudeck(const QStringList &args,
                                                const QString &presetDir) const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir->filePath(presetDir));
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("two"));
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                  QStringList{QStringLiteral("-H"), m_host} + args, env, 120000);
}

void TestCdiOffEngine::doctorSaysHowToTurnCdiOn()
{
    // No preset uses CDI: said, not failed.
    const TestEngine::CliResult plain = gpudeck({QStringLiteral("doctor"),
                                                 QStringLiteral("--json")},
                                                QStringLiteral("none"));
    const QJsonObject skipped = checkById(QJsonDocument::fromJson(plain.out).object(),
                                          QStringLiteral("cdi"));
    QCOMPARE(skipped.value(QStringLiteral("status")).toString(), QStringLiteral("skip"));
    QVERIFY2(skipped.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QLatin1String("CDI is off on Docker 26")),
             plain.out.constData());

    // A preset uses CDI devices: the check fails with the daemon.json setting and the command.
    QVERIFY(
        !writePreset(QStringLiteral("cdi"), QStringLiteral("cdi gpu"), gpuSpec(true)).isEmpty());
    const TestEngine::CliResult wanted = gpudeck({QStringLiteral("doctor"),
                                                  QStringLiteral("--json")},
                                                 QStringLiteral("cdi"));
    QCOMPARE(wanted.exitCode, 1);
    const QJsonObject failed = checkById(QJsonDocument::fromJson(wanted.out).object(),
                                         QStringLiteral("cdi"));
    QCOMPARE(failed.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    QVERIFY2(failed.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QLatin1String("a preset uses CDI devices")),
             wanted.out.constData());
    QVERIFY2(failed.value(QStringLiteral("fix"))
                 .toString()
                 .contains(QLatin1String("\"features\": {\"cdi\": true}")),
             wanted.out.constData());
    QVERIFY2(
        failed.value(QStringLiteral("command")).toString().contains(QLatin1String("--cdi.enabled")),
        wanted.out.constData());
}

void TestCdiOffEngine::cdiLaunchSaysCdiIsOff()
{
    LaunchSpec spec = gpuSpec(true);
    spec.autoRemove = false;
    spec.containerName =
        QStringLiteral("gpudeck-cdi-off-%1").arg(QCoreApplication::applicationPid());
    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               writePreset(QStringLiteral("cdi"),
                                                           QStringLiteral("cdi launch"), spec)},
                                              QStringLiteral("cdi"));
    QCOMPARE(run.exitCode, 125);
    QCOMPARE(run.out, QByteArray());
    QVERIFY2(run.err.contains("CDI is off on this engine")
                 && run.err.contains("\"features\": {\"cdi\": true}"),
             run.err.constData());
    QVERIFY2(!run.err.contains("Toolkit is missing"), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
    // Nothing left behind.
    QProcessEnvironment env;
    env.insert(QStringLiteral("DOCKER_HOST"), m_host);
    const TestEngine::CliResult ps = TestEngine::runProgram(
        m_engineDir + QStringLiteral("/docker-cli"),
        {QStringLiteral("ps"), QStringLiteral("-aq"), QStringLiteral("--filter"),
         QStringLiteral("name=") + spec.containerName},
        env);
    QCOMPARE(ps.exitCode, 0);
    QCOMPARE(ps.out, QByteArray());
}

void TestCdiOffEngine::legacyLaunchStillRuns()
{
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"),
         writePreset(QStringLiteral("legacy"), QStringLiteral("legacy gpu"), gpuSpec(false))},
        QStringLiteral("legacy"));
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.out.contains("NVIDIA_VISIBLE_DEVICES=0\n"), run.out.constData());
}

QTEST_GUILESS_MAIN(TestCdiOffEngine)
#include "tst_cdioffengine.moc"
