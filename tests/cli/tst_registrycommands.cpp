#include "TestEngine.h"
#include "TestRegistry.h"
#include "registry/CredentialLookup.h"
#include "registry/RegistryCredential.h"
#include "registry/RegistryName.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// gpudeck pull, login and logout against Debian's docker-registry behind htpasswd and TLS on
// loopback, with the logins where the real docker CLI and a real credential helper keep them.
class TestRegistryCommands : public QObject
{
    Q_OBJECT

private:
    static constexpr char kUser[] = "gpudeck-alice";
    static constexpr char kPassword[] = "Pw-7f3c9-not-in-any-log";

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    // gpudeck with the test engine, DOCKER_CONFIG the test's own, the helper on PATH, and every
    // logging category on (so that a secret in any log would show in the output).
    // program: run through another (script) instead of gpudeck itself.
    Run gpudeck(const QStringList &args, const QByteArray &input = {},
                const QStringList &program = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::host());
        env.insert(QStringLiteral("DOCKER_CONFIG"), m_config);
        env.insert(QStringLiteral("GPUDECK_TEST_CREDSTORE"), m_credstore);
        env.insert(QStringLiteral("PATH"),
                   QStringLiteral(GPUDECK_FIXTURES_DIR "/credential-helper:")
                       + env.value(QStringLiteral("PATH")));
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
        process.setProcessEnvironment(env);
        if (program.isEmpty())
            process.start(QStringLiteral(GPUDECK_BINARY), args);
        else
            process.start(program.first(), program.mid(1));
        process.write(input);
        process.closeWriteChannel();
        Run run;
        if (!process.waitForFinished(180000))
            return run;
        run.exitCode = process.exitCode();
        run.out = QString::fromUtf8(process.readAllStandardOutput());
        run.err = QString::fromUtf8(process.readAllStandardError());
        m_outputs += run.out + run.err;
        return run;
    }

    // What gpudeck itself said on stderr (the rest is the debug logging the runs switch on).
    static QStringList said(const QString &err)
    {
        QStringList lines;
        for (const QString &line : err.split(QLatin1Char('\n'))) {
            if (line.startsWith(QLatin1String("gpudeck: ")))
                lines << line;
        }
        return lines;
    }

    // The real docker CLI with the test's DOCKER_CONFIG.
    TestEngine::CliResult docker(const QStringList &args, const QByteArray &input = {})
    {
        qputenv("DOCKER_CONFIG", m_config.toUtf8());
        qputenv("GPUDECK_TEST_CREDSTORE", m_credstore.toUtf8());
        return TestEngine::docker(args, input, 120000);
    }

    void writeConfig(const QJsonObject &config)
    {
        QFile file(m_config + QStringLiteral("/config.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(config).toJson());
    }

    QString readConfig() const
    {
        QFile file(m_config + QStringLiteral("/config.json"));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

    QString helperCalls() const
    {
        QFile file(m_credstore + QStringLiteral("/calls"));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

    bool engineHas(const QString &image) const
    {
        return TestEngine::docker({QStringLiteral("image"), QStringLiteral("inspect"), image})
                   .exitCode
               == 0;
    }

    void removeImage(const QString &image)
    {
        TestEngine::docker({QStringLiteral("rmi"), QStringLiteral("-f"), image});
        QVERIFY(!engineHas(image));
    }

    QTemporaryDir m_dir;
    TestRegistry m_registry;
    QString m_image;     // ADDRESS/private/cuda:PID, pushed
    QString m_config;    // this test's DOCKER_CONFIG, emptied before each test
    QString m_credstore; // the test helper's logins
    QString m_outputs;   // everything gpudeck printed, checked for secrets at the end
    QString m_savedPath;

private slots:
    void initTestCase()
    {
        GPUDECK_REQUIRE_ENGINE();
        QVERIFY(m_dir.isValid());
        const QString failure = m_registry.start(m_dir.filePath(QStringLiteral("registry")),
                                                 QLatin1String(kUser), QLatin1String(kPassword));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QString repository =
            QStringLiteral("private/cuda:%1").arg(QCoreApplication::applicationPid());
        const QString seeded = m_registry.seed(repository);
        QVERIFY2(seeded.isEmpty(), qPrintable(seeded));
        m_image = m_registry.address() + QLatin1Char('/') + repository;
        m_config = m_dir.filePath(QStringLiteral("docker-config"));
        m_credstore = m_dir.filePath(QStringLiteral("credstore"));
    }

    void init()
    {
        if (!m_config.isEmpty()) {
            QDir(m_config).removeRecursively();
            QDir(m_credstore).removeRecursively();
            QVERIFY(QDir().mkpath(m_config));
            QVERIFY(QDir().mkpath(m_credstore));
        }
    }

    void cleanupTestCase()
    {
        if (!m_image.isEmpty())
            TestEngine::docker({QStringLiteral("rmi"), QStringLiteral("-f"), m_image});
        m_registry.stop();
    }

    void pullsWithTheDockerCliLogin()
    {
        removeImage(m_image);
        const TestEngine::CliResult login = docker({QStringLiteral("login"), QStringLiteral("-u"),
                                                    QLatin1String(kUser),
                                                    QStringLiteral("--password-stdin"),
                                                    m_registry.address()},
                                                   QByteArray(kPassword));
        QVERIFY2(login.exitCode == 0, login.err.constData());
        QVERIFY(readConfig().contains(m_registry.address()));

        const Run pull = gpudeck({QStringLiteral("pull"), m_image});
        QVERIFY2(pull.exitCode == 0, qPrintable(pull.err));
        QVERIFY(engineHas(m_image));
        // Not a terminal: plain lines, one per layer step, no cursor movement.
        QVERIFY2(pull.out.contains(QLatin1String(": Pull complete\n")), qPrintable(pull.out));
        QVERIFY(!pull.out.contains(QLatin1Char('\x1b')));
        QVERIFY(pull.out.contains(QStringLiteral("Pulled ") + m_image));
    }

    // On a terminal (script(1) gives it one) each layer's line is redrawn in place.
    void pullRedrawsLayersOnATerminal()
    {
        const TestEngine::CliResult login = docker({QStringLiteral("login"), QStringLiteral("-u"),
                                                    QLatin1String(kUser),
                                                    QStringLiteral("--password-stdin"),
                                                    m_registry.address()},
                                                   QByteArray(kPassword));
        QVERIFY2(login.exitCode == 0, login.err.constData());
        removeImage(m_image);
        const QString command =
            QStringLiteral("'%1' pull '%2'").arg(QStringLiteral(GPUDECK_BINARY), m_image);
        const Run pull = gpudeck({}, {},
                                 {QStringLiteral("script"), QStringLiteral("-qec"), command,
                                  QStringLiteral("/dev/null")});
        QVERIFY2(pull.exitCode == 0, qPrintable(pull.out + pull.err));
        QVERIFY2(pull.out.contains(QLatin1String("\x1b[2K")), qPrintable(pull.out));
        QVERIFY(pull.out.contains(QLatin1String("Pull complete")));
        QVERIFY(engineHas(m_image));
    }

    void pullWithoutLoginSaysSo()
    {
        removeImage(m_image);
        const Run pull = gpudeck({QStringLiteral("pull"), m_image});
        QCOMPARE(pull.exitCode, 1);
        const QStringList lines = said(pull.err);
        QCOMPARE(lines.size(), 1);
        const QString sentence = lines.first();
        QVERIFY2(sentence.contains(m_registry.address()), qPrintable(pull.err));
        QVERIFY2(sentence.contains(QLatin1String("needs a login and none was found")),
                 qPrintable(pull.err));
        QVERIFY2(sentence.contains(QStringLiteral("gpudeck login ") + m_registry.address()),
                 qPrintable(pull.err));
        QVERIFY(!engineHas(m_image));
    }

    void refusedLoginAndMissingImageAreTold()
    {
        // A login that was right once and is wrong now.
        const QByteArray wrong = QByteArray(kUser) + ":wrong-password";
        writeConfig(QJsonObject{
            {QStringLiteral("auths"),
             QJsonObject{
                 {m_registry.address(),
                  QJsonObject{{QStringLiteral("auth"), QString::fromLatin1(wrong.toBase64())}}}}}});
        removeImage(m_image);
        Run pull = gpudeck({QStringLiteral("pull"), m_image});
        QCOMPARE(pull.exitCode, 1);
        QVERIFY2(pull.err.contains(QLatin1String("refused the login found in")),
                 qPrintable(pull.err));

        const TestEngine::CliResult login = docker({QStringLiteral("login"), QStringLiteral("-u"),
                                                    QLatin1String(kUser),
                                                    QStringLiteral("--password-stdin"),
                                                    m_registry.address()},
                                                   QByteArray(kPassword));
        QVERIFY2(login.exitCode == 0, login.err.constData());
        pull = gpudeck(
            {QStringLiteral("pull"), m_registry.address() + QStringLiteral("/private/none:1")});
        QCOMPARE(pull.exitCode, 1);
        QVERIFY2(pull.err.contains(QLatin1String("has no such image")), qPrintable(pull.err));
    }

    void loginChecksStoresAndLogsOut()
    {
        Run login = gpudeck({QStringLiteral("login"), QStringLiteral("-u"), QLatin1String(kUser),
                             QStringLiteral("--password-stdin"), m_registry.address()},
                            "not-the-password\n");
        QCOMPARE(login.exitCode, 1);
        QCOMPARE(said(login.err).size(), 1); // one sentence
        QVERIFY2(login.err.contains(QLatin1String("refused the user name or password")),
                 qPrintable(login.err));
        QVERIFY(!readConfig().contains(m_registry.address()));

        login = gpudeck({QStringLiteral("login"), QStringLiteral("-u"), QLatin1String(kUser),
                         QStringLiteral("--password-stdin"), m_registry.address()},
                        QByteArray(kPassword) + '\n');
        QVERIFY2(login.exitCode == 0, qPrintable(login.err));
        QVERIFY2(login.err.contains(QLatin1String("stored unencrypted")), qPrintable(login.err));
        QVERIFY2(login.err.contains(QLatin1String("credsStore")), qPrintable(login.err));
        const QJsonObject entry = QJsonDocument::fromJson(readConfig().toUtf8())
                                      .object()
                                      .value(QStringLiteral("auths"))
                                      .toObject()
                                      .value(m_registry.address())
                                      .toObject();
        QCOMPARE(QByteArray::fromBase64(entry.value(QStringLiteral("auth")).toString().toLatin1()),
                 QByteArray(kUser) + ':' + kPassword);

        // The docker CLI takes what gpudeck stored.
        removeImage(m_image);
        const TestEngine::CliResult pulled = docker({QStringLiteral("pull"), m_image});
        QVERIFY2(pulled.exitCode == 0, pulled.err.constData());

        const Run logout = gpudeck({QStringLiteral("logout"), m_registry.address()});
        QVERIFY2(logout.exitCode == 0, qPrintable(logout.err));
        QVERIFY(!readConfig().contains(m_registry.address()));
    }

    void credentialHelpers_data()
    {
        QTest::addColumn<bool>("perRegistry");
        QTest::newRow("credHelpers") << true;
        QTest::newRow("credsStore") << false;
    }

    void credentialHelpers()
    {
        QFETCH(bool, perRegistry);
        writeConfig(
            perRegistry
                ? QJsonObject{{QStringLiteral("credHelpers"),
                               QJsonObject{{m_registry.address(), QStringLiteral("gpudecktest")}}}}
                : QJsonObject{{QStringLiteral("credsStore"), QStringLiteral("gpudecktest")}});
        const Run login = gpudeck({QStringLiteral("login"), QStringLiteral("-u"),
                                   QLatin1String(kUser), QStringLiteral("--password-stdin"),
                                   m_registry.address()},
                                  QByteArray(kPassword));
        QVERIFY2(login.exitCode == 0, qPrintable(login.err));
        QVERIFY2(!login.err.contains(QLatin1String("unencrypted")), qPrintable(login.err));
        QVERIFY(helperCalls().contains(QStringLiteral("store ") + m_registry.address()));
        QVERIFY2(!readConfig().contains(QLatin1String(kPassword)), qPrintable(readConfig()));
        QVERIFY(!readConfig().contains(QString::fromLatin1(QByteArray(kPassword).toBase64())));

        removeImage(m_image);
        const Run pull = gpudeck({QStringLiteral("pull"), m_image});
        QVERIFY2(pull.exitCode == 0, qPrintable(pull.err));
        QVERIFY(helperCalls().contains(QStringLiteral("get ") + m_registry.address()));
        QVERIFY(engineHas(m_image));

        const Run logout = gpudeck({QStringLiteral("logout"), m_registry.address()});
        QVERIFY2(logout.exitCode == 0, qPrintable(logout.err));
        QVERIFY(helperCalls().contains(QStringLiteral("erase ") + m_registry.address()));
        QVERIFY(QDir(m_credstore).entryList({QStringLiteral("*.json")}, QDir::Files).isEmpty());
    }

    // Podman's files, in Podman's order, found without the Podman service (its own test runs
    // the pull): REGISTRY_AUTH_FILE wins over the others.
    void podmanAuthFilesInOrder()
    {
        const QString authFile = m_dir.filePath(QStringLiteral("podman-auth.json"));
        {
            QFile file(authFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(
                QJsonDocument(QJsonObject{{QStringLiteral("auths"),
                                           QJsonObject{{QStringLiteral("podman.example:5000"),
                                                        QJsonObject{{QStringLiteral("auth"),
                                                                     QStringLiteral("dTpw")}}}}}})
                    .toJson());
        }
        qputenv("REGISTRY_AUTH_FILE", authFile.toUtf8());
        qputenv("DOCKER_CONFIG", m_config.toUtf8());
        QObject context;
        RegistryCredential found;
        bool done = false;
        CredentialLookup::find(QStringLiteral("podman.example:5000/x/y:1"), true, &context,
                               [&](const Result<RegistryCredential> &result) {
                                   QVERIFY(result.ok());
                                   found = result.value();
                                   done = true;
                               });
        QTRY_VERIFY(done);
        qunsetenv("REGISTRY_AUTH_FILE");
        QCOMPARE(found.username, QStringLiteral("u"));
        QCOMPARE(found.password, QStringLiteral("p"));
        QCOMPARE(found.source, authFile);
        done = false;
        CredentialLookup::find(QStringLiteral("podman.example:5000"), false, &context,
                               [&](const Result<RegistryCredential> &result) {
                                   QVERIFY(result.ok());
                                   found = result.value();
                                   done = true;
                               });
        QTRY_VERIFY(done);
        QVERIFY(found.isEmpty()); // Docker reads only its own file
    }

    void referencesNameTheirRegistry_data()
    {
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("registry");
        QTest::newRow("official") << "busybox"
                                  << "docker.io";
        QTest::newRow("hub user") << "nvidia/cuda:12"
                                  << "docker.io";
        QTest::newRow("nvcr") << "nvcr.io/nvidia/pytorch:24.01-py3"
                              << "nvcr.io";
        QTest::newRow("port") << "registry:5000/x"
                              << "registry:5000";
        QTest::newRow("localhost") << "localhost/x"
                                   << "localhost";
        QTest::newRow("hub by name") << "index.docker.io/library/busybox"
                                     << "docker.io";
    }

    void referencesNameTheirRegistry()
    {
        QFETCH(QString, reference);
        QFETCH(QString, registry);
        QCOMPARE(RegistryName::ofImage(reference), registry);
    }

    // Every run above had every logging category on.
    void noSecretInAnyOutput()
    {
        QVERIFY(!m_outputs.isEmpty());
        const QByteArray password(kPassword);
        const QByteArray pair = QByteArray(kUser) + ':' + password;
        QStringList secrets = {
            QLatin1String(kPassword),
            QString::fromLatin1(password.toBase64()),
            QString::fromLatin1(pair.toBase64()),
            QString::fromLatin1(password.toBase64(QByteArray::Base64UrlEncoding)),
        };
        RegistryCredential sent;
        sent.serverAddress = m_registry.address();
        sent.username = QLatin1String(kUser);
        sent.password = QLatin1String(kPassword);
        secrets << QString::fromLatin1(sent.registryAuthHeader());
        for (const QString &secret : secrets)
            QVERIFY2(!m_outputs.contains(secret), qPrintable(secret));
        // The X-Registry-Auth value holds the password inside base64 of JSON: its decoded
        // pieces would show as readable JSON, which no log line has.
        QVERIFY(!m_outputs.contains(QLatin1String("\"password\"")));
    }
};

QTEST_GUILESS_MAIN(TestRegistryCommands)
#include "tst_registrycommands.moc"
