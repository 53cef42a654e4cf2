#include "TestRegistry.h"

#include "TestEngine.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

TestRegistry::~TestRegistry()
{
    stop();
}

QString TestRegistry::start(const QString &dir, const QString &user, const QString &password)
{
    m_dir = dir;
    m_user = user;
    m_password = password;
    if (!QFile::exists(QStringLiteral("/usr/bin/docker-registry")))
        return QStringLiteral("docker-registry is missing: packaging/install-deps.sh installs it");
    QProcess tls;
    tls.start(QStringLiteral(GPUDECK_TEST_SCRIPTS "/test-tls.sh"),
              {QStringLiteral("certs"), dir + QStringLiteral("/certs")});
    if (!tls.waitForFinished(60000) || tls.exitCode() != 0)
        return QStringLiteral("test-tls.sh failed: ")
               + QString::fromUtf8(tls.readAllStandardError());
    QProcess htpasswd;
    htpasswd.start(QStringLiteral("htpasswd"),
                   {QStringLiteral("-Bbn"), user, password}); // bcrypt: the registry's only kind
    if (!htpasswd.waitForFinished(30000) || htpasswd.exitCode() != 0)
        return QStringLiteral("htpasswd failed (apache2-utils, from packaging/install-deps.sh): ")
               + htpasswd.errorString();
    {
        QFile file(dir + QStringLiteral("/htpasswd"));
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        file.write(htpasswd.readAllStandardOutput());
    }
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return probe.errorString();
        m_port = probe.serverPort();
    }
    const QString config = dir + QStringLiteral("/registry.yml");
    {
        QFile file(config);
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        file.write(QStringLiteral("version: 0.1\n"
                                  "log:\n  level: error\n"
                                  "storage:\n  filesystem:\n    rootdirectory: %1/data\n"
                                  "http:\n  addr: 127.0.0.1:%2\n"
                                  "  tls:\n    certificate: %1/certs/server-cert.pem\n"
                                  "    key: %1/certs/server-key.pem\n"
                                  "auth:\n  htpasswd:\n    realm: gpudeck-test\n"
                                  "    path: %1/htpasswd\n")
                       .arg(dir)
                       .arg(m_port)
                       .toUtf8());
    }
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(QStringLiteral("/usr/bin/docker-registry"), {QStringLiteral("serve"), config});
    if (!m_process.waitForStarted(10000))
        return m_process.errorString();
    const quint16 port = m_port;
    const bool up = QTest::qWaitFor(
        [port]() {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, port);
            return socket.waitForConnected(200);
        },
        20000);
    return up ? QString() : QStringLiteral("docker-registry did not listen within 20 s");
}

void TestRegistry::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000))
        m_process.kill();
    m_process.waitForFinished(5000);
}

QString TestRegistry::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

QString TestRegistry::caFile() const
{
    return m_dir + QStringLiteral("/certs/ca.pem");
}

QString TestRegistry::seed(const QString &repository)
{
    const QByteArray savedConfig = qgetenv("DOCKER_CONFIG");
    const QString config = m_dir + QStringLiteral("/seed-docker-config");
    QDir().mkpath(config);
    qputenv("DOCKER_CONFIG", config.toUtf8());
    const QString image = address() + QLatin1Char('/') + repository;
    // A layer of its own (random bytes), so that pulling it back downloads and extracts it.
    const QString rootfs = m_dir + QStringLiteral("/seed-rootfs");
    QDir().mkpath(rootfs);
    {
        QFile blob(rootfs + QStringLiteral("/random.bin"));
        if (!blob.open(QIODevice::WriteOnly))
            return blob.errorString();
        QByteArray bytes(1 << 20, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                              bytes.size() / 4);
        blob.write(bytes);
    }
    const QString tarball = m_dir + QStringLiteral("/seed-layer.tar");
    if (QProcess::execute(QStringLiteral("tar"),
                          {QStringLiteral("-C"), rootfs, QStringLiteral("-cf"), tarball,
                           QStringLiteral(".")})
        != 0)
        return QStringLiteral("tar failed");
    QString failure;
    for (const QStringList &args :
         {QStringList{QStringLiteral("login"), QStringLiteral("-u"), m_user,
                      QStringLiteral("--password-stdin"), address()},
          QStringList{QStringLiteral("import"), tarball, image},
          QStringList{QStringLiteral("push"), image}, QStringList{QStringLiteral("rmi"), image},
          QStringList{QStringLiteral("logout"), address()}}) {
        const TestEngine::CliResult step = TestEngine::docker(args,
                                                              args.first() == QLatin1String("login")
                                                                  ? m_password.toUtf8()
                                                                  : QByteArray(),
                                                              120000);
        if (step.exitCode != 0) {
            failure = QStringLiteral("docker %1: %2").arg(args.first(), QString::fromUtf8(step.err));
            break;
        }
    }
    if (savedConfig.isNull())
        qunsetenv("DOCKER_CONFIG");
    else
        qputenv("DOCKER_CONFIG", savedConfig);
    return failure;
}
