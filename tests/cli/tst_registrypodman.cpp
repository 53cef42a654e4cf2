#include "TestEngine.h"
#include "TestRegistry.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

// gpudeck pull on the Podman service with Podman's own logins (REGISTRY_AUTH_FILE), from
// docker-registry behind htpasswd and TLS. Podman counts no loopback registry as insecure: it
// trusts the test CA through /etc/containers/certs.d/127.0.0.1:PORT, made and removed here.
class TestRegistryPodman : public QObject
{
    Q_OBJECT

private:
    static constexpr char kUser[] = "gpudeck-carol";
    static constexpr char kPassword[] = "Pw-podman-91b2";

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    static Run run(const QString &program, const QStringList &args,
                   const QProcessEnvironment &extra = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(extra);
        process.setProcessEnvironment(env);
        process.start(program, args);
        Run result;
        if (!process.waitForFinished(180000))
            return result;
        result.exitCode = process.exitCode();
        result.out = QString::fromUtf8(process.readAllStandardOutput());
        result.err = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

    Run podman(const QStringList &args)
    {
        return run(QStringLiteral("podman"),
                   QStringList{QStringLiteral("--url"), TestEngine::host()} + args);
    }

    Run gpudeckPull(const QString &authFile)
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::host());
        env.insert(QStringLiteral("DOCKER_CONFIG"), m_dir.filePath(QStringLiteral("no-docker")));
        env.insert(QStringLiteral("REGISTRY_AUTH_FILE"), authFile);
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("HOME"), m_dir.filePath(QStringLiteral("home")));
        return run(QStringLiteral(GPUDECK_BINARY), {QStringLiteral("pull"), m_image}, env);
    }

    QTemporaryDir m_dir;
    TestRegistry m_registry;
    QString m_image;
    QString m_certsDir; // /etc/containers/certs.d/127.0.0.1:PORT

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        if (!TestEngine::isPodman())
            QSKIP("Podman's logins are for the Podman engine");
        QVERIFY(m_dir.isValid());
        const QString failure = m_registry.start(m_dir.filePath(QStringLiteral("registry")),
                                                 QLatin1String(kUser), QLatin1String(kPassword));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        m_certsDir = QStringLiteral("/etc/containers/certs.d/") + m_registry.address();
        QVERIFY(QDir().mkpath(m_certsDir));
        QVERIFY(QFile::copy(m_registry.caFile(), m_certsDir + QStringLiteral("/ca.crt")));

        m_image = m_registry.address()
                  + QStringLiteral("/podman/private:%1").arg(QCoreApplication::applicationPid());
        Run step = podman({QStringLiteral("tag"), QStringLiteral("gpudeck-test:latest"), m_image});
        QVERIFY2(step.exitCode == 0, qPrintable(step.err));
        step = podman({QStringLiteral("push"), QStringLiteral("--creds"),
                       QStringLiteral("%1:%2").arg(QLatin1String(kUser), QLatin1String(kPassword)),
                       m_image});
        QVERIFY2(step.exitCode == 0, qPrintable(step.err));
        step = podman({QStringLiteral("rmi"), m_image});
        QVERIFY2(step.exitCode == 0, qPrintable(step.err));
    }

    void cleanupTestCase()
    {
        if (!m_image.isEmpty())
            podman({QStringLiteral("rmi"), QStringLiteral("-f"), m_image});
        if (!m_certsDir.isEmpty())
            QDir(m_certsDir).removeRecursively();
        m_registry.stop();
    }

    void pullsWithPodmansAuthFile()
    {
        const QString noLogin = m_dir.filePath(QStringLiteral("empty-auth.json"));
        Run pull = gpudeckPull(noLogin);
        QCOMPARE(pull.exitCode, 1);
        QVERIFY2(pull.err.contains(QLatin1String("needs a login and none was found")),
                 qPrintable(pull.err));

        const QString authFile = m_dir.filePath(QStringLiteral("auth.json"));
        {
            QFile file(authFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
            const QByteArray pair = QByteArray(kUser) + ':' + kPassword;
            file.write(
                QJsonDocument(
                    QJsonObject{
                        {QStringLiteral("auths"),
                         QJsonObject{{m_registry.address(),
                                      QJsonObject{{QStringLiteral("auth"),
                                                   QString::fromLatin1(pair.toBase64())}}}}}})
                    .toJson());
        }
        pull = gpudeckPull(authFile);
        QVERIFY2(pull.exitCode == 0, qPrintable(pull.err));
        QVERIFY(!pull.out.contains(QLatin1String(kPassword)));
        QVERIFY(!pull.err.contains(QLatin1String(kPassword)));
        QCOMPARE(podman({QStringLiteral("image"), QStringLiteral("exists"), m_image}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestRegistryPodman)
#include "tst_registrypodman.moc"
