#include "registry/AuthFile.h"
#include "registry/CredentialLookup.h"
#include "registry/RegistryCredential.h"
#include "registry/RegistryError.h"
#include "registry/RegistryName.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

// The registry floor without an engine: the files' formats, the header the engine decodes, the
// keys logins are kept under and the sentences a failed pull becomes.
class TestRegistryCredentials : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(text);
        return path;
    }

private slots:
    void headerIsBase64UrlJson()
    {
        RegistryCredential credential;
        credential.serverAddress = QStringLiteral("nvcr.io");
        credential.username = QStringLiteral("$oauthtoken");
        credential.password = QStringLiteral("a?b>c~~~"); // bytes that base64 turns into + and /
        const QByteArray header = credential.registryAuthHeader();
        QVERIFY(!header.contains('+') && !header.contains('/'));
        const QJsonObject decoded =
            QJsonDocument::fromJson(QByteArray::fromBase64(header, QByteArray::Base64UrlEncoding))
                .object();
        QCOMPARE(decoded.value(QStringLiteral("username")).toString(), credential.username);
        QCOMPARE(decoded.value(QStringLiteral("password")).toString(), credential.password);
        QCOMPARE(decoded.value(QStringLiteral("serveraddress")).toString(),
                 QStringLiteral("nvcr.io"));

        RegistryCredential token;
        token.serverAddress = QLatin1String(RegistryName::kDockerHubKey);
        token.identityToken = QStringLiteral("tok");
        const QJsonObject withToken = QJsonDocument::fromJson(
                                          QByteArray::fromBase64(token.registryAuthHeader(),
                                                                 QByteArray::Base64UrlEncoding))
                                          .object();
        QCOMPARE(withToken.value(QStringLiteral("identitytoken")).toString(),
                 QStringLiteral("tok"));
        QVERIFY(!withToken.contains(QStringLiteral("password")));
    }

    void keysAsTheDockerCliKeepsThem_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("key");
        QTest::newRow("none: Docker Hub") << "" << RegistryName::kDockerHubKey;
        QTest::newRow("docker.io") << "docker.io" << RegistryName::kDockerHubKey;
        QTest::newRow("hub URL") << "https://index.docker.io/v1/" << RegistryName::kDockerHubKey;
        QTest::newRow("URL with path") << "https://nvcr.io/v2/"
                                       << "nvcr.io";
        QTest::newRow("host and port") << "registry.example:5000"
                                       << "registry.example:5000";
    }

    void keysAsTheDockerCliKeepsThem()
    {
        QFETCH(QString, server);
        QFETCH(QString, key);
        QCOMPARE(RegistryName::key(server), key);
    }

    void readsAuthsHelpersAndKeepsTheRest()
    {
        const QString path = write(
            QStringLiteral("config.json"),
            "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"dXNlcjpwYTpzcw==\"}, "
            "\"https://reg.example:5000/v2/\": {\"auth\": \"bWU6\", \"identitytoken\": \"idt\"}}, "
            "\"credHelpers\": {\"nvcr.io\": \"pass\"}, \"credsStore\": \"secretservice\", "
            "\"currentContext\": \"remote\", \"psFormat\": \"table\"}");
        const Result<AuthFile> file = AuthFile::load(path);
        QVERIFY(file.ok());
        const RegistryCredential hub = file.value().credentialFor(QStringLiteral("docker.io"));
        QCOMPARE(hub.username, QStringLiteral("user"));
        QCOMPARE(hub.password, QStringLiteral("pa:ss")); // only the first colon splits
        const RegistryCredential token = file.value().credentialFor(
            QStringLiteral("reg.example:5000"));
        QCOMPARE(token.identityToken, QStringLiteral("idt"));
        QCOMPARE(file.value().helperFor(QStringLiteral("nvcr.io")), QStringLiteral("pass"));
        QCOMPARE(file.value().helperFor(QStringLiteral("ghcr.io")),
                 QStringLiteral("secretservice"));

        AuthFile changed = file.value();
        RegistryCredential added;
        added.serverAddress = QStringLiteral("ghcr.io");
        added.username = QStringLiteral("u");
        added.password = QStringLiteral("p");
        changed.setCredential(added);
        QVERIFY(changed.remove(QStringLiteral("docker.io")));
        QVERIFY(changed.save().ok());
        QVERIFY(QFileInfo(path).permissions() & QFileDevice::ReadOwner);
        QVERIFY(!(QFileInfo(path).permissions() & QFileDevice::ReadOther));
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(saved.readAll()).object();
        QCOMPARE(root.value(QStringLiteral("currentContext")).toString(), QStringLiteral("remote"));
        QCOMPARE(root.value(QStringLiteral("psFormat")).toString(), QStringLiteral("table"));
        const QJsonObject auths = root.value(QStringLiteral("auths")).toObject();
        QVERIFY(!auths.contains(QLatin1String(RegistryName::kDockerHubKey)));
        QCOMPARE(auths.value(QStringLiteral("ghcr.io")).toObject().value(QStringLiteral("auth")),
                 QStringLiteral("dTpw"));
    }

    void malformedFileIsOneSentence()
    {
        const Result<AuthFile> file = AuthFile::load(
            write(QStringLiteral("bad.json"), "{\"auths\":"));
        QVERIFY(!file.ok());
        QVERIFY(file.error().message().contains(QLatin1String("bad.json")));
        QVERIFY(!file.error().message().contains(QLatin1Char('\n')));
        QVERIFY(AuthFile::load(m_dir.filePath(QStringLiteral("missing.json"))).ok());
    }

    void missingHelperIsAnError()
    {
        QTemporaryDir config;
        QFile file(config.filePath(QStringLiteral("config.json")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"credsStore\": \"gpudeck-no-such-helper\"}");
        file.close();
        qputenv("DOCKER_CONFIG", config.path().toUtf8());
        QObject context;
        std::optional<Result<RegistryCredential>> answer;
        CredentialLookup::find(QStringLiteral("ghcr.io"), false, &context,
                               [&](const Result<RegistryCredential> &result) { answer = result; });
        QTRY_VERIFY(answer.has_value());
        QVERIFY(!answer->ok());
        QVERIFY(answer->error().message().contains(
            QLatin1String("docker-credential-gpudeck-no-such-helper")));
        qunsetenv("DOCKER_CONFIG");
    }

    void pullFailuresNameTheRegistryAndTheCause_data()
    {
        QTest::addColumn<QString>("daemonSays");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("sentLogin");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no login")
            << "Head \"https://r.example/v2/x/manifests/1\": no basic auth credentials" << 500
            << false << "needs a login and none was found";
        QTest::newRow("refused") << "unauthorized: authentication required" << 500 << true
                                 << "refused the login found in";
        QTest::newRow("no image") << "manifest for r.example/x:1 not found: manifest unknown" << 404
                                  << true << "has no such image";
        QTest::newRow("hub: private or missing")
            << "pull access denied for nosuch, repository does not exist or may require 'docker "
               "login'"
            << 404 << false << "does not exist, or it is private";
    }

    void pullFailuresNameTheRegistryAndTheCause()
    {
        QFETCH(QString, daemonSays);
        QFETCH(int, status);
        QFETCH(bool, sentLogin);
        QFETCH(QString, expected);
        const QString reference = daemonSays.contains(QLatin1String("nosuch"))
                                      ? QStringLiteral("nosuch")
                                      : QStringLiteral("r.example/x:1");
        RegistryCredential sent;
        if (sentLogin) {
            sent.password = QStringLiteral("p");
            sent.source = QStringLiteral("/home/u/.docker/config.json");
        }
        Error daemon(Error::Code::Http, QStringLiteral("Pulling"), daemonSays);
        daemon.withHttpStatus(status);
        const Error told = RegistryError::explainPull(daemon, reference, sent);
        QVERIFY2(told.message().contains(expected), qPrintable(told.message()));
        QVERIFY(told.message().contains(RegistryName::ofImage(reference)));
        QVERIFY(!told.message().contains(QLatin1Char('{')));
    }
};

QTEST_GUILESS_MAIN(TestRegistryCredentials)
#include "tst_registrycredentials.moc"
