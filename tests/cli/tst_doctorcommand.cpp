// `gpudeck doctor` against real engines: the sandboxed one (with the stand-in toolkit hook and
// two fake GPUs through the fake NVML library) passes; a second engine started without the hook
// fails on the GPU-request line with the toolkit's fix; no driver fails the driver line.
#include "DoctorReport.h"
#include "TestEngine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class TestDoctorCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void passesWithToolkitAndDriver();
    void failsWithoutDriver();
    void failsWithoutToolkitHook();
    void failsWithoutEngine();

private:
    TestEngine::CliResult doctor(const QStringList &args, const QString &host, bool fakeGpus);
    QTemporaryDir m_presets;
};

void TestDoctorCommand::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
}

TestEngine::CliResult TestDoctorCommand::doctor(const QStringList &args, const QString &host,
                                                bool fakeGpus)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_presets.path());
    env.insert(QStringLiteral("DOCKER_HOST"), host);
    if (fakeGpus) {
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
        env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("two"));
    } else {
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
                   QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
        env.insert(QStringLiteral("PATH"), QStringLiteral("/nonexistent")); // no nvidia-smi either
    }
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                  QStringList{QStringLiteral("doctor")} + args, env);
}

void TestDoctorCommand::passesWithToolkitAndDriver()
{
    const TestEngine::CliResult run = doctor({QStringLiteral("--json")}, TestEngine::host(), true);
    const QJsonObject report = QJsonDocument::fromJson(run.out).object();
    QVERIFY2(run.exitCode == 0, run.out.constData());
    QCOMPARE(report.value(QStringLiteral("ok")).toBool(), true);
    for (const char *id : {"engine", "socket", "driver", "gpu-request", "runtime"})
        QCOMPARE(checkById(report, QLatin1String(id)).value(QStringLiteral("status")).toString(),
                 QStringLiteral("pass"));
    QCOMPARE(checkById(report, QStringLiteral("cdi")).value(QStringLiteral("status")).toString(),
             QStringLiteral("skip"));
    QVERIFY(checkById(report, QStringLiteral("driver"))
                .value(QStringLiteral("detail"))
                .toString()
                .contains(QLatin1String("2 GPU")));

    const TestEngine::CliResult text = doctor({}, TestEngine::host(), true);
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("ready"));
}

void TestDoctorCommand::failsWithoutDriver()
{
    const TestEngine::CliResult run = doctor({QStringLiteral("--json")}, TestEngine::host(), false);
    QCOMPARE(run.exitCode, 1);
    const QJsonObject driver = checkById(QJsonDocument::fromJson(run.out).object(),
                                         QStringLiteral("driver"));
    QCOMPARE(driver.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    QVERIFY(driver.value(QStringLiteral("detail"))
                .toString()
                .contains(QLatin1String("no NVIDIA driver found")));
    QVERIFY(!driver.value(QStringLiteral("fix")).toString().isEmpty());
}

void TestDoctorCommand::failsWithoutToolkitHook()
{
    // A second real engine, without nvidia-container-runtime-hook on its PATH.
    QTemporaryDir dir(QStringLiteral("/tmp/gpudeck-nohook-XXXXXX"));
    QVERIFY(dir.isValid());
    const QString script = QStringLiteral(GPUDECK_SOURCE_DIR "/tests/scripts/test-engine.sh");
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_TEST_ENGINE_NO_HOOK"), QStringLiteral("1"));
    const QString engineDir = dir.filePath(QStringLiteral("engine"));
    const TestEngine::CliResult started =
        TestEngine::runProgram(script, {QStringLiteral("start"), engineDir}, env, 120000);
    QVERIFY2(started.exitCode == 0, started.err.constData());
    const QString host = QString::fromUtf8(started.out.trimmed().split('\n').last());

    const TestEngine::CliResult run = doctor({QStringLiteral("--json")}, host, true);
    TestEngine::runProgram(script, {QStringLiteral("stop"), engineDir});
    QCOMPARE(run.exitCode, 1);
    const QJsonObject report = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(checkById(report, QStringLiteral("engine")).value(QStringLiteral("status")).toString(),
             QStringLiteral("pass"));
    const QJsonObject probe = checkById(report, QStringLiteral("gpu-request"));
    QCOMPARE(probe.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    QVERIFY(probe.value(QStringLiteral("detail"))
                .toString()
                .contains(QLatin1String("could not select device driver")));
    QVERIFY(probe.value(QStringLiteral("fix"))
                .toString()
                .contains(QLatin1String("NVIDIA Container Toolkit")));
    const QString command = probe.value(QStringLiteral("command")).toString();
    QVERIFY(command.contains(QLatin1String("nvidia-ctk runtime configure")));
    // The toolkit is only in NVIDIA's repository: the command adds it, with its key, before the install.
    const qsizetype repository = command.indexOf(QLatin1String(
        "https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list"));
    const qsizetype key = command.indexOf(
        QLatin1String("https://nvidia.github.io/libnvidia-container/gpgkey"));
    const qsizetype install = command.indexOf(
        QLatin1String("apt-get install -y nvidia-container-toolkit"));
    QVERIFY2(repository >= 0 && key >= 0 && install >= 0, qPrintable(command));
    QVERIFY2(key < install && repository < install, qPrintable(command));
    QVERIFY(
        command.contains(QLatin1String("/etc/apt/sources.list.d/nvidia-container-toolkit.list")));
    QVERIFY(command.contains(
        QLatin1String("signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg")));
    QVERIFY(probe.value(QStringLiteral("fix"))
                .toString()
                .contains(QLatin1String("NVIDIA's apt repository")));
}

void TestDoctorCommand::failsWithoutEngine()
{
    const TestEngine::CliResult run = doctor({QStringLiteral("--json")},
                                             QStringLiteral("unix:///nonexistent/docker.sock"),
                                             true);
    QCOMPARE(run.exitCode, 1);
    const QJsonObject report = QJsonDocument::fromJson(run.out).object();
    const QJsonObject engine = checkById(report, QStringLiteral("engine"));
    QCOMPARE(engine.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    QVERIFY(engine.value(QStringLiteral("detail")).toString().contains(QLatin1String("dockerd")));
    QCOMPARE(
        checkById(report, QStringLiteral("gpu-request")).value(QStringLiteral("status")).toString(),
        QStringLiteral("skip"));
    // The driver is checked all the same.
    QCOMPARE(checkById(report, QStringLiteral("driver")).value(QStringLiteral("status")).toString(),
             QStringLiteral("pass"));
}

QTEST_GUILESS_MAIN(TestDoctorCommand)
#include "tst_doctorcommand.moc"
