#include "RequestHeads.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "launch/LaunchSpec.h"
#include "launch/SwarmLauncher.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// A service's private image: the launch sends the registry login as X-Registry-Auth on
// POST /services/create, as docker service create does. A stand-in engine on a temporary socket
// records the request heads (the real swarm tests share port 2377 and run elsewhere).
class TestServiceAuth : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QLocalServer m_server;
    QList<QByteArray> m_heads;

    void answer(QLocalSocket *peer, const QByteArray &head)
    {
        m_heads.append(head);
        if (head.contains("/_ping")) {
            QFile ping(QStringLiteral(GPUDECK_FIXTURES_DIR "/http/ping.http"));
            QVERIFY(ping.open(QIODevice::ReadOnly));
            peer->write(ping.readAll());
            return;
        }
        const QByteArray body = "{\"ID\":\"svc1\"}";
        peer->write("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    }

    QByteArray createHead() const
    {
        for (const QByteArray &head : m_heads) {
            if (head.contains("/services/create"))
                return head;
        }
        return {};
    }

    static QByteArray headerValue(const QByteArray &head, const QByteArray &name)
    {
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith(QByteArray(name.toLower() + ':')))
                return line.mid(name.size() + 1).trimmed();
        }
        return {};
    }

    QByteArray launch(const QString &image)
    {
        m_heads.clear();
        DockerClient client(EndpointResolver::fromUrl(m_dir.filePath(QStringLiteral("docker.sock")),
                                                      QStringLiteral("test"))
                                .value());
        SwarmLauncher launcher(&client);
        QSignalSpy finished(&launcher, &SwarmLauncher::finished);
        LaunchSpec spec;
        spec.image = image;
        spec.gpus.mode = GpuSelection::Mode::Count;
        spec.gpus.count = 1;
        launcher.launch(spec, 1, true);
        if (!finished.wait(10000))
            return "(no finish)";
        return createHead();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen(m_dir.filePath(QStringLiteral("docker.sock"))));
        connect(&m_server, &QLocalServer::newConnection, this, [this]() {
            while (QLocalSocket *peer = m_server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                connect(peer, &QLocalSocket::readyRead, peer, [this, peer, buffer]() {
                    buffer->append(peer->readAll());
                    for (const QByteArray &head : takeRequestHeads(buffer.get())) {
                        answer(peer, head);
                    }
                });
                connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
            }
        });
        const QString config = m_dir.filePath(QStringLiteral("docker-config"));
        QVERIFY(QDir().mkpath(config));
        QFile file(config + QStringLiteral("/config.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"auths\": {\"registry.example:5000\": {\"auth\": \"dTpzZWNyZXQ=\"}}}");
        file.close();
        qputenv("DOCKER_CONFIG", config.toUtf8());
    }

    void privateImageCarriesTheLogin()
    {
        const QByteArray head = launch(QStringLiteral("registry.example:5000/team/cuda:12"));
        QVERIFY2(head.contains("POST"), head.constData());
        const QJsonObject auth = QJsonDocument::fromJson(
                                     QByteArray::fromBase64(headerValue(head, "X-Registry-Auth"),
                                                            QByteArray::Base64UrlEncoding))
                                     .object();
        QCOMPARE(auth.value(QStringLiteral("username")).toString(), QStringLiteral("u"));
        QCOMPARE(auth.value(QStringLiteral("password")).toString(), QStringLiteral("secret"));
        QCOMPARE(auth.value(QStringLiteral("serveraddress")).toString(),
                 QStringLiteral("registry.example:5000"));
    }

    void publicImageGoesWithout()
    {
        const QByteArray head = launch(QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04"));
        QVERIFY2(head.contains("POST"), head.constData());
        QVERIFY(headerValue(head, "X-Registry-Auth").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestServiceAuth)
#include "tst_serviceauth.moc"
