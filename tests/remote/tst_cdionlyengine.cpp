// An engine that hands out GPUs only as CDI devices, as a host with a CDI-only NVIDIA toolkit has
// it: Debian trixie's dockerd 26 with the cdi feature on and the stand-in CDI devices, but no
// NVIDIA runtime hook, so a --gpus request fails with the device-driver error. Started by this
// test, listening on tcp:// with TLS as well as on its socket. Over tcp:// the host's GPUs come from
// a probe container that falls back to CDI; on the socket the doctor suggests launching with
// Device driver: CDI.
#include "DoctorReport.h"
#include "TestEngine.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

QString readLine(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().trimmed()) : QString();
}

} // namespace

class TestCdiOnlyEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void gpusThroughCdiProbe();
    void doctorSuggestsCdi();

private:
    QProcessEnvironment cliEnv() const;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_engineDir;
    QString m_socket;
    QString m_tcp;
};

void TestCdiOnlyEngine::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY2(!qEnvironmentVariable("GPUDECK_TEST_TRIXIE_DIR").isEmpty(),
             "run through ctest: the test needs dockerd 26");
    m_dir = std::make_unique<QTemporaryDir>();
    m_engineDir = m_dir->filePath(QStringLiteral("engine"));
    QProcessEnvironment settings;
    settings.insert(QStringLiteral("GPUDECK_TEST_ENGINE_CDI"), QStringLiteral("1"));
    settings.insert(QStringLiteral("GPUDECK_TEST_ENGINE_NO_HOOK"), QStringLiteral("1"));
    settings.insert(QStringLiteral("GPUDECK_TEST_ENGINE_TLS"), QStringLiteral("1"));
    const TestEngine::CliResult started = TestEngine::startOwnEngine(m_engineDir, settings);
    QVERIFY2(started.exitCode == 0, started.err.constData());
    m_socket = QString::fromUtf8(started.out.trimmed().split('\n').last());
    m_tcp = readLine(m_engineDir + QStringLiteral("/tls-host"));
    QVERIFY2(m_tcp.startsWith(QLatin1String("tcp://")), qPrintable(m_tcp));
}

void TestCdiOnlyEngine::cleanupTestCase()
{
    if (!m_engineDir.isEmpty())
        TestEngine::stopOwnEngine(m_engineDir);
}

// Neither NVML nor nvidia-smi on this side: whatever GPUs are listed are the host's.
QProcessEnvironment TestCdiOnlyEngine::cliEnv() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), QDir::tempPath());
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("PATH"), QStringLiteral("/nonexistent"));
    return env;
}

// The probe's --gpus request fails for want of the hook; it asks for nvidia.com/gpu=all instead,
// and the stub nvidia-smi answers only when that device was injected.
void TestCdiOnlyEngine::gpusThroughCdiProbe()
{
    QProcessEnvironment env = cliEnv();
    env.insert(QStringLiteral("DOCKER_HOST"), m_tcp);
    env.insert(QStringLiteral("DOCKER_TLS_VERIFY"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOCKER_CERT_PATH"), m_engineDir + QStringLiteral("/certs"));
    const TestEngine::CliResult cli = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY), {QStringLiteral("gpus"), QStringLiteral("--json")}, env);
    QVERIFY2(cli.exitCode == 0, cli.err.constData());
    const QJsonObject json = QJsonDocument::fromJson(cli.out).object();
    const QJsonArray gpus = json.value(QStringLiteral("gpus")).toArray();
    QCOMPARE(gpus.size(), 2);
    QCOMPARE(gpus.at(1).toObject().value(QStringLiteral("uuid")).toString(),
             QStringLiteral("GPU-6bd9c3a4-0000-4000-8000-000000000001"));
    QCOMPARE(json.value(QStringLiteral("driverVersion")).toString(), QStringLiteral("580.95.05"));

    const TestEngine::CliResult left =
        TestEngine::runProgram(m_engineDir + QStringLiteral("/docker-cli"),
                               {QStringLiteral("-H"), m_socket, QStringLiteral("ps"),
                                QStringLiteral("-a"), QStringLiteral("-q")},
                               QProcessEnvironment());
    QCOMPARE(left.exitCode, 0);
    QCOMPARE(left.out.trimmed(), QByteArray()); // the refused probe and the CDI one are both gone
}

void TestCdiOnlyEngine::doctorSuggestsCdi()
{
    QProcessEnvironment env = cliEnv();
    env.insert(QStringLiteral("DOCKER_HOST"), m_socket);
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir->filePath(QStringLiteral("presets")));
    const TestEngine::CliResult run = TestEngine::runProgram(
        QStringLiteral(GPUDECK_BINARY), {QStringLiteral("doctor"), QStringLiteral("--json")}, env);
    const QJsonObject report = QJsonDocument::fromJson(run.out).object();
    const QJsonObject probe = checkById(report, QStringLiteral("gpu-request"));
    QCOMPARE(probe.value(QStringLiteral("status")).toString(), QStringLiteral("warn"));
    QVERIFY2(probe.value(QStringLiteral("detail"))
                 .toString()
                 .contains(QLatin1String("CDI devices started")),
             qPrintable(probe.value(QStringLiteral("detail")).toString()));
    QVERIFY2(
        probe.value(QStringLiteral("fix")).toString().contains(QLatin1String("Device driver: CDI")),
        qPrintable(probe.value(QStringLiteral("fix")).toString()));
    QVERIFY2(
        probe.value(QStringLiteral("fix")).toString().contains(QLatin1String("nvidia.com/gpu=all")),
        qPrintable(probe.value(QStringLiteral("fix")).toString()));
}

QTEST_GUILESS_MAIN(TestCdiOnlyEngine)
#include "tst_cdionlyengine.moc"
