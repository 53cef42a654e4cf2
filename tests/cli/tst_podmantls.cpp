// A Podman connection to a tcp:// engine with TLS, where Podman's newer CLI writes it (tls_ca,
// tls_cert, tls_key), read from the system's containers.conf files in containers-config(5)'s
// order: in a mount namespace of the test's own, /usr/share/containers/containers.conf names the
// TLS test engine without TLS, and a drop-in in /etc/containers/containers.conf.d redefines the
// connection with the engine's certificates. `gpudeck engines` reaches it through TLS, and a
// preset naming it runs there. The host's own /etc and /usr/share are untouched.
#include "TestEngine.h"

#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

class TestPodmanTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void dropInConnectionSpeaksTls();
    void presetRunsOnTheConnection();

private:
    // gpudeck with the test's containers directories bound over the system's.
    TestEngine::CliResult gpudeck(const QStringList &args) const;
    static bool write(const QString &path, const QByteArray &bytes);

    QTemporaryDir m_dir;
    QString m_url;
};

bool TestPodmanTls::write(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

void TestPodmanTls::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    m_url = qEnvironmentVariable("GPUDECK_TEST_HOST");
    QVERIFY2(m_url.startsWith(QLatin1String("tcp://")), qPrintable(m_url));
    const QString certs = qEnvironmentVariable("GPUDECK_TEST_TLS_DIR") + QStringLiteral("/certs");
    QVERIFY2(QFile::exists(certs + QStringLiteral("/ca.pem")), qPrintable(certs));

    // The distribution's file: the engine in the clear, which it does not speak.
    QVERIFY(write(m_dir.filePath(QStringLiteral("share/containers.conf")),
                  "[engine]\nactive_service = \"gpu-tls\"\n"
                  "[engine.service_destinations.gpu-tls]\nuri = \""
                      + m_url.toUtf8() + "\"\n"));
    // The administrator's drop-in, read later: the same name with the engine's certificates.
    QVERIFY(write(m_dir.filePath(QStringLiteral("etc/containers.conf.d/50-gpu-tls.conf")),
                  "[engine.service_destinations.gpu-tls]\nuri = \"" + m_url.toUtf8()
                      + "\"\ntls_ca = \"" + certs.toUtf8() + "/ca.pem\"\ntls_cert = \""
                      + certs.toUtf8() + "/cert.pem\"\ntls_key = \"" + certs.toUtf8()
                      + "/key.pem\"\n"));
    // Not a drop-in: Podman reads only *.conf files.
    QVERIFY(write(m_dir.filePath(QStringLiteral("etc/containers.conf.d/60-gpu-tls.conf.bak")),
                  "[engine.service_destinations.gpu-tls]\nuri = \"tcp://127.0.0.1:1\"\n"));
}

TestEngine::CliResult TestPodmanTls::gpudeck(const QStringList &args) const
{
    QProcessEnvironment env;
    for (const char *name :
         {"DOCKER_HOST", "CONTAINER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH",
          "CONTAINERS_CONF", "CONTAINERS_CONF_OVERRIDE", "DOCKER_CONTEXT"})
        env.insert(QString::fromLatin1(name), QString());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("xdg")));
    env.insert(QStringLiteral("PODMAN_CONNECTIONS_CONF"), QStringLiteral("/nonexistent"));
    env.insert(QStringLiteral("DOCKER_CONFIG"), m_dir.filePath(QStringLiteral("docker")));
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral("/nonexistent/libnvidia-ml.so"));
    const QString script = QStringLiteral("set -e; mount --bind \"$1\" /usr/share/containers; "
                                          "mount --bind \"$2\" /etc/containers; shift 2; "
                                          "exec \"$@\"");
    return TestEngine::runProgram(
        QStringLiteral("/usr/bin/unshare"),
        QStringList{QStringLiteral("--mount"), QStringLiteral("--propagation"),
                    QStringLiteral("private"), QStringLiteral("sh"), QStringLiteral("-c"), script,
                    QStringLiteral("sh"), m_dir.filePath(QStringLiteral("share")),
                    m_dir.filePath(QStringLiteral("etc")), QStringLiteral(GPUDECK_BINARY)}
            + args,
        env, 120000);
}

void TestPodmanTls::dropInConnectionSpeaksTls()
{
    const TestEngine::CliResult engines = gpudeck(
        {QStringLiteral("engines"), QStringLiteral("--json")});
    QVERIFY2(engines.exitCode == 0, engines.err.constData());
    QJsonObject row;
    for (const QJsonValue &value : QJsonDocument::fromJson(engines.out).array()) {
        if (value[QStringLiteral("source")].toString() == QLatin1String("podman")
            && value[QStringLiteral("name")].toString() == QLatin1String("gpu-tls"))
            row = value.toObject();
    }
    QVERIFY2(!row.isEmpty(), engines.out.constData());
    QCOMPARE(row[QStringLiteral("endpoint")].toString(), m_url);
    QVERIFY2(row[QStringLiteral("state")].toString() == QLatin1String("connected"),
             QJsonDocument(row).toJson().constData());
    QVERIFY2(row[QStringLiteral("engine")].toString().startsWith(QLatin1String("Docker")),
             QJsonDocument(row).toJson().constData());
}

void TestPodmanTls::presetRunsOnTheConnection()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {QStringLiteral("echo"), QStringLiteral("through the podman tls connection")};
    spec.networkMode = QStringLiteral("none");
    Preset preset(QStringLiteral("podman tls"), spec);
    preset.setEngine(QStringLiteral("gpu-tls"));
    const QString path = m_dir.filePath(QStringLiteral("preset.json"));
    QVERIFY(PresetStore::writeFile(path, preset.toFileBytes()));
    const TestEngine::CliResult run = gpudeck(
        {QStringLiteral("run"), QStringLiteral("--preset"), path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, QByteArray("through the podman tls connection\n"));
    QVERIFY2(run.err.contains(QByteArray(QByteArray("launching on ") + m_url.toUtf8()))
                 && run.err.contains("Podman connection gpu-tls"),
             run.err.constData());
}

QTEST_GUILESS_MAIN(TestPodmanTls)
#include "tst_podmantls.moc"
