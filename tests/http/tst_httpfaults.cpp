#include "RequestHeads.h"
#include "engine/ContainerStream.h"
#include "engine/DockerClient.h"
#include "engine/EngineError.h"
#include "http/HttpClient.h"
#include "http/HttpReply.h"
#include "transport/LocalConnection.h"

#include "StreamBytes.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>
#include <QString>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>

#include <unistd.h>

Q_DECLARE_METATYPE(Error::Code)

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(GPUDECK_FIXTURES_DIR "/http/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", qPrintable(file.fileName()));
    return file.readAll();
}

QByteArray pingAnswer(const QByteArray &apiVersion)
{
    QByteArray answer = fixture(QStringLiteral("ping.http"));
    answer.replace("Api-Version: 1.41", QByteArray("Api-Version: " + apiVersion));
    return answer;
}

const QByteArray kUpgradeHead = "HTTP/1.1 101 UPGRADED\r\n"
                                "Content-Type: application/vnd.docker.raw-stream\r\n"
                                "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

// A stand-in engine on a temporary socket, for the faults a real dockerd will not produce. It
// reads whole requests (head and Content-Length body) and hands each request line to answer().
class FakeEngine
{
public:
    using Answer = std::function<void(QLocalSocket *peer, const QByteArray &requestLine)>;

    explicit FakeEngine(Answer answer) : m_answer(std::move(answer))
    {
        QObject::connect(&m_server, &QLocalServer::newConnection, &m_server, [this]() {
            while (QLocalSocket *peer = m_server.nextPendingConnection())
                accept(peer);
        });
    }

    bool listen() { return m_dir.isValid() && m_server.listen(path()); }
    QString path() const { return m_dir.filePath(QStringLiteral("docker.sock")); }
    Endpoint endpoint() const
    {
        return EndpointResolver::fromUrl(path(), QStringLiteral("test")).value();
    }

    int connections = 0;
    int disconnections = 0;
    QList<QByteArray> requests;
    qint64 unsentAtDisconnect = -1; // bytes the last closed peer still had to write

private:
    void accept(QLocalSocket *peer)
    {
        ++connections;
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(peer, &QLocalSocket::readyRead, peer, [this, peer, buffer]() {
            buffer->append(peer->readAll());
            for (const QByteArray &head : takeRequestHeads(buffer.get())) {
                const QByteArray requestLine = requestLineOf(head);
                requests.append(requestLine);
                m_answer(peer, requestLine);
            }
        });
        QObject::connect(peer, &QLocalSocket::disconnected, peer, [this, peer]() {
            ++disconnections;
            unsentAtDisconnect = peer->bytesToWrite();
            peer->deleteLater();
        });
    }

    QTemporaryDir m_dir;
    QLocalServer m_server;
    Answer m_answer;
};

// What a reply reported; kept past the reply, which deletes itself after finished.
struct Seen
{
    int heads = 0;
    int finishes = 0;
    int status = 0;
    Error error;
    QByteArray body;
    QByteArray data;
};

std::shared_ptr<Seen> watch(HttpReply *reply)
{
    auto seen = std::make_shared<Seen>();
    QObject::connect(reply, &HttpReply::headReceived, reply, [seen, reply]() {
        ++seen->heads;
        seen->status = reply->status();
    });
    QObject::connect(reply, &HttpReply::dataReceived, reply,
                     [seen](const QByteArray &data) { seen->data += data; });
    QObject::connect(reply, &HttpReply::finished, reply, [seen, reply]() {
        ++seen->finishes;
        seen->error = reply->error();
        seen->body = reply->body();
    });
    return seen;
}

HttpRequest shortCall(const QByteArray &target, int headerTimeoutMs = 10000)
{
    HttpRequest request = HttpRequest::get(target);
    request.headerTimeoutMs = headerTimeoutMs;
    return request;
}

} // namespace

class TestHttpFaults : public QObject
{
    Q_OBJECT

private slots:
    void closedKeepAliveRetriesOnlyIdempotent_data();
    void closedKeepAliveRetriesOnlyIdempotent();
    void idleConnectionsExpire();
    void brokenAnswers_data();
    void brokenAnswers();
    void stalledPeerTimesOut();
    void streamHasNoTimeoutOnceAnswered();
    void hugeHeaderRefused();
    void keepAliveReusesOneConnection();
    void streamGetsItsOwnConnection();
    void socketMissing();
    void socketWithoutPermission();
    void abort_data();
    void abort();
    void negotiatesVersion_data();
    void negotiatesVersion();
    void engineTooOld();
    void newestEngines_data();
    void newestEngines();
    void deviceDriverError();
    void attach_data();
    void attach();
};

void TestHttpFaults::brokenAnswers_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<Error::Code>("code");
    QTest::addColumn<QString>("why");

    QTest::newRow("truncated chunked body, then close")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly six") << true
        << Error::Code::Protocol << QStringLiteral("before the response was complete");
    QTest::newRow("short Content-Length body, then close")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":") << true
        << Error::Code::Protocol << QStringLiteral("before the response was complete");
    QTest::newRow("close before any answer") << QByteArray() << true << Error::Code::Protocol
                                             << QStringLiteral("before a response arrived");
    QTest::newRow("garbage status line")
        << QByteArray("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n") << false
        << Error::Code::Protocol << QStringLiteral("malformed HTTP response");
    QTest::newRow("bad chunk size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "xyz\r\nabc\r\n")
        << false << Error::Code::Protocol << QStringLiteral("malformed HTTP response");
}

void TestHttpFaults::brokenAnswers()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, closeAfter);
    QFETCH(Error::Code, code);
    QFETCH(QString, why);

    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &) {
        peer->write(answer);
        if (closeAfter)
            peer->disconnectFromServer();
    });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpReply *reply = client.send(shortCall("/v1.41/info"));
    QSignalSpy finished(reply, &HttpReply::finished);
    const auto seen = watch(reply);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(seen->error.code(), code);
    QVERIFY2(seen->error.why().contains(why), qPrintable(seen->error.message()));
    // A broken connection never goes back to the pool.
    QCOMPARE(client.idleConnectionCount(), 0);
}

void TestHttpFaults::stalledPeerTimesOut()
{
    FakeEngine engine([](QLocalSocket *, const QByteArray &) {}); // accepts, never answers
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    QElapsedTimer timer;
    timer.start();
    HttpReply *reply = client.send(shortCall("/v1.41/containers/json", 300));
    QSignalSpy finished(reply, &HttpReply::finished);
    const auto seen = watch(reply);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QVERIFY(timer.elapsed() >= 250);
    QCOMPARE(seen->error.code(), Error::Code::Timeout);
    QVERIFY2(seen->error.message().contains(QStringLiteral("/v1.41/containers/json")),
             qPrintable(seen->error.message()));
    QCOMPARE(engine.requests.size(), 1);
}

void TestHttpFaults::streamHasNoTimeoutOnceAnswered()
{
    // logs --follow of a quiet container: headers, then nothing for a long time.
    FakeEngine engine([](QLocalSocket *peer, const QByteArray &) {
        peer->write("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n");
    });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpRequest request = shortCall("/v1.41/containers/abc/logs?follow=1", 200);
    request.stream = true;
    HttpReply *reply = client.send(request);
    QSignalSpy head(reply, &HttpReply::headReceived);
    QSignalSpy finished(reply, &HttpReply::finished);
    QTRY_COMPARE(head.count(), 1);
    QVERIFY(!finished.wait(800)); // four header timeouts later, still open
    reply->abort();
    QCOMPARE(finished.count(), 1);
}

void TestHttpFaults::hugeHeaderRefused()
{
    constexpr int kMiB = 1024 * 1024;
    FakeEngine engine([](QLocalSocket *peer, const QByteArray &) {
        peer->write("HTTP/1.1 200 OK\r\nX-Flood: " + QByteArray(kMiB, 'x') + "\r\n\r\n");
    });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpReply *reply = client.send(shortCall("/v1.41/info"));
    QSignalSpy finished(reply, &HttpReply::finished);
    const auto seen = watch(reply);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(seen->error.code(), Error::Code::Protocol);
    QVERIFY2(seen->error.why().contains(QStringLiteral("64 KiB")),
             qPrintable(seen->error.message()));
    QCOMPARE(seen->heads, 0);
    // The client hung up instead of reading the rest: most of the MiB was never taken.
    QTRY_COMPARE(engine.disconnections, 1);
    QVERIFY2(engine.unsentAtDisconnect > kMiB / 4,
             qPrintable(
                 QStringLiteral("only %1 bytes left unread").arg(engine.unsentAtDisconnect)));
}

void TestHttpFaults::keepAliveReusesOneConnection()
{
    const QByteArray ping = fixture(QStringLiteral("ping.http"));
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &) { peer->write(ping); });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    for (int i = 0; i < 3; ++i) {
        HttpReply *reply = client.send(shortCall("/_ping"));
        QSignalSpy finished(reply, &HttpReply::finished);
        const auto seen = watch(reply);
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY2(!seen->error.isError(), qPrintable(seen->error.message()));
        QCOMPARE(seen->body, QByteArray("OK"));
        QCOMPARE(client.idleConnectionCount(), 1);
    }
    QCOMPARE(engine.requests.size(), 3);
    QCOMPARE(engine.connections, 1);
}

// The engine closes a kept-alive connection just as a request goes out on it. Sending it again
// is safe for GET/HEAD only: a POST /containers/create might then run twice.
void TestHttpFaults::closedKeepAliveRetriesOnlyIdempotent_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("retried");
    QTest::newRow("GET is sent again") << QByteArray("GET") << true;
    QTest::newRow("POST is not") << QByteArray("POST") << false;
}

void TestHttpFaults::closedKeepAliveRetriesOnlyIdempotent()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, retried);
    const QByteArray ping = fixture(QStringLiteral("ping.http"));
    int answered = 0;
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &) {
        if (++answered == 2)
            peer->disconnectFromServer(); // read the request, then hung up without a word
        else
            peer->write(ping);
    });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpReply *first = client.send(shortCall("/_ping"));
    QSignalSpy firstDone(first, &HttpReply::finished);
    QTRY_COMPARE(firstDone.count(), 1);
    QCOMPARE(client.idleConnectionCount(), 1);

    HttpRequest request = shortCall("/v1.41/containers/create");
    request.method = method;
    HttpReply *second = client.send(request);
    QSignalSpy secondDone(second, &HttpReply::finished);
    const auto seen = watch(second);
    QTRY_COMPARE(secondDone.count(), 1);
    const qsizetype sent = std::count_if(engine.requests.cbegin(), engine.requests.cend(),
                                         [&](const QByteArray &line) {
                                             return line.startsWith(
                                                 QByteArray(method + " /v1.41/containers"));
                                         });
    if (retried) {
        QVERIFY2(!seen->error.isError(), qPrintable(seen->error.message()));
        QCOMPARE(sent, 2);
        QCOMPARE(engine.connections, 2);
    } else {
        QCOMPARE(seen->error.code(), Error::Code::ConnectionFailed);
        QVERIFY2(seen->error.message().contains(
                     QLatin1String("may or may not have been carried out")),
                 qPrintable(seen->error.message()));
        QCOMPARE(sent, 1);
    }
}

void TestHttpFaults::idleConnectionsExpire()
{
    const QByteArray ping = fixture(QStringLiteral("ping.http"));
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &) { peer->write(ping); });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    client.setIdleTimeout(200);
    HttpReply *reply = client.send(shortCall("/_ping"));
    QSignalSpy done(reply, &HttpReply::finished);
    QTRY_COMPARE(done.count(), 1);
    QCOMPARE(client.idleConnectionCount(), 1);
    // Closed by us before the engine's own idle timeout could close it under a request.
    QTRY_COMPARE_WITH_TIMEOUT(engine.disconnections, 1, 3000);
    QCOMPARE(client.idleConnectionCount(), 0);
    // The next call opens a fresh connection and works.
    HttpReply *next = client.send(shortCall("/_ping"));
    QSignalSpy nextDone(next, &HttpReply::finished);
    const auto seen = watch(next);
    QTRY_COMPARE(nextDone.count(), 1);
    QVERIFY(!seen->error.isError());
    QCOMPARE(engine.connections, 2);
}

void TestHttpFaults::streamGetsItsOwnConnection()
{
    const QByteArray ping = fixture(QStringLiteral("ping.http"));
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &line) {
        if (line.contains("/events"))
            peer->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n");
        else
            peer->write(ping);
    });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpReply *first = client.send(shortCall("/_ping"));
    QSignalSpy firstDone(first, &HttpReply::finished);
    QTRY_COMPARE(firstDone.count(), 1);
    QCOMPARE(client.idleConnectionCount(), 1);

    HttpRequest events = shortCall("/v1.41/events");
    events.stream = true;
    HttpReply *stream = client.send(events);
    QSignalSpy streamHead(stream, &HttpReply::headReceived);
    QTRY_COMPARE(streamHead.count(), 1);
    QCOMPARE(engine.connections, 2); // the idle keep-alive connection was left alone
    QCOMPARE(client.idleConnectionCount(), 1);

    // Short calls still share the first connection while the stream runs.
    HttpReply *second = client.send(shortCall("/_ping"));
    QSignalSpy secondDone(second, &HttpReply::finished);
    QTRY_COMPARE(secondDone.count(), 1);
    QCOMPARE(engine.connections, 2);
    QSignalSpy streamDone(stream, &HttpReply::finished);
    stream->abort();
    QCOMPARE(streamDone.count(), 1);
}

void TestHttpFaults::socketMissing()
{
    QTemporaryDir dir;
    HttpClient client(
        std::make_unique<LocalConnector>(dir.filePath(QStringLiteral("no-such.sock"))));
    HttpReply *reply = client.send(shortCall("/_ping"));
    QSignalSpy finished(reply, &HttpReply::finished);
    const auto seen = watch(reply);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(seen->error.code(), Error::Code::SocketNotFound);
    QVERIFY(seen->error.message().contains(dir.filePath(QStringLiteral("no-such.sock"))));
    // The transport says what happened; the engine layer says what to do on this kind of engine.
    QVERIFY2(seen->error.hint().isEmpty(), qPrintable(seen->error.hint()));
    const Error explained = EngineError::explain(
        seen->error, EndpointResolver::fromUrl(dir.filePath(QStringLiteral("no-such.sock")),
                                               QStringLiteral("test"))
                         .value());
    QVERIFY2(explained.hint().contains(QStringLiteral("dockerd")), qPrintable(explained.hint()));
}

void TestHttpFaults::socketWithoutPermission()
{
    // Root ignores file permissions, so the socket cannot be made unusable for it; the CI and
    // device machines run the suite as root, so this runs on developers' machines only.
    if (geteuid() == 0)
        QSKIP("running as root: permissions on the socket do not apply");
    FakeEngine engine([](QLocalSocket *, const QByteArray &) {});
    QVERIFY(engine.listen());
    QVERIFY(QFile::setPermissions(engine.path(), QFileDevice::Permissions()));
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpReply *reply = client.send(shortCall("/_ping"));
    QSignalSpy finished(reply, &HttpReply::finished);
    const auto seen = watch(reply);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(seen->error.code(), Error::Code::PermissionDenied);
    const Error explained = EngineError::explain(seen->error, engine.endpoint());
    QVERIFY2(explained.hint().contains(QStringLiteral("docker group")),
             qPrintable(explained.hint()));
}

void TestHttpFaults::abort_data()
{
    QTest::addColumn<QString>("when");
    QTest::newRow("before connecting") << QStringLiteral("at once");
    QTest::newRow("waiting for the answer") << QStringLiteral("request sent");
    QTest::newRow("while a stream runs") << QStringLiteral("stream");
}

void TestHttpFaults::abort()
{
    QFETCH(QString, when);
    const bool stream = when == QLatin1String("stream");
    FakeEngine engine([stream](QLocalSocket *peer, const QByteArray &) {
        if (stream)
            peer->write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
    });
    QVERIFY(engine.listen());
    HttpClient client(std::make_unique<LocalConnector>(engine.path()));
    HttpRequest request = shortCall("/v1.41/events");
    request.stream = stream;
    HttpReply *reply = client.send(request);
    QSignalSpy finished(reply, &HttpReply::finished);
    const auto seen = watch(reply);
    if (when == QLatin1String("request sent"))
        QTRY_COMPARE(engine.requests.size(), 1);
    if (stream)
        QTRY_COMPARE(seen->data, QByteArray("first"));
    reply->abort();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(seen->error.code(), Error::Code::Cancelled);
    reply->abort(); // a second abort is harmless
    // Nothing more arrives after the cancellation, and the reply goes away.
    QPointer<HttpReply> guard(reply);
    QTRY_VERIFY(guard.isNull());
    QCOMPARE(seen->finishes, 1);
    QCOMPARE(client.idleConnectionCount(), 0);
}

void TestHttpFaults::negotiatesVersion_data()
{
    QTest::addColumn<QByteArray>("engineApi");
    QTest::addColumn<QByteArray>("prefix");
    QTest::newRow("Debian bookworm's 20.10 (1.41)") << QByteArray("1.41") << QByteArray("/v1.41/");
    QTest::newRow("oldest accepted (1.40)") << QByteArray("1.40") << QByteArray("/v1.40/");
    QTest::newRow("newer engine: ours (1.51)") << QByteArray("1.52") << QByteArray("/v1.51/");
}

void TestHttpFaults::negotiatesVersion()
{
    QFETCH(QByteArray, engineApi);
    QFETCH(QByteArray, prefix);
    const QByteArray ping = pingAnswer(engineApi);
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &line) {
        if (line.startsWith("GET /_ping"))
            peer->write(ping);
        else
            peer->write(fixture(QStringLiteral("delete-204.http")));
    });
    QVERIFY(engine.listen());
    DockerClient docker(engine.endpoint());
    bool done = false;
    Error error;
    docker.removeContainer(QStringLiteral("abc"), true, this, [&](const Result<void> &result) {
        done = true;
        error = result.error();
    });
    QTRY_VERIFY(done);
    QVERIFY2(!error.isError(), qPrintable(error.message()));
    QCOMPARE(engine.requests.size(), 2);
    QCOMPARE(engine.requests.at(1),
             QByteArray("DELETE " + prefix + "containers/abc?force=1 HTTP/1.1"));
}

void TestHttpFaults::engineTooOld()
{
    const QByteArray ping = pingAnswer("1.39");
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &) { peer->write(ping); });
    QVERIFY(engine.listen());
    DockerClient docker(engine.endpoint());
    bool done = false;
    Error error;
    docker.ping(this, [&](const Result<QString> &result) {
        done = true;
        error = result.error();
    });
    QTRY_VERIFY(done);
    QCOMPARE(error.code(), Error::Code::EngineTooOld);
    QVERIFY2(error.message().contains(QStringLiteral("1.39")), qPrintable(error.message()));
    QVERIFY2(error.message().contains(QStringLiteral("1.40")), qPrintable(error.message()));
    // Nothing else was asked of an engine that cannot take GPU requests.
    QCOMPARE(engine.requests.size(), 1);
}

void TestHttpFaults::newestEngines_data()
{
    QTest::addColumn<QByteArray>("engineApi");
    QTest::addColumn<int>("minMinor");
    QTest::addColumn<bool>("works");
    // Docker 29 answers /_ping with Api-Version 1.52 and refuses paths below /v1.44/; a Docker
    // that drops everything GPU Deck speaks is one sentence naming both versions.
    QTest::newRow("Docker 29 (1.52, from 1.44)") << QByteArray("1.52") << 44 << true;
    QTest::newRow("exactly ours (1.51, from 1.24)") << QByteArray("1.51") << 24 << true;
    QTest::newRow("Docker 30 (1.54, from 1.52)") << QByteArray("1.54") << 52 << false;
}

void TestHttpFaults::newestEngines()
{
    QFETCH(QByteArray, engineApi);
    QFETCH(int, minMinor);
    QFETCH(bool, works);
    const QByteArray ping = pingAnswer(engineApi);
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &line) {
        if (line.startsWith("GET /_ping")) {
            peer->write(ping);
            return;
        }
        const QByteArray version = line.mid(line.indexOf("/v") + 2).split('/').value(0);
        QByteArray body = "{\"ServerVersion\":\"29.0.0\",\"Runtimes\":{\"runc\":{}}}\n";
        QByteArray status = "200 OK";
        if (version.split('.').value(1).toInt() < minMinor) {
            status = "400 Bad Request";
            body = "{\"message\":\"client version " + version
                   + " is too old. Minimum supported API version is 1."
                   + QByteArray::number(minMinor)
                   + ", please upgrade your client to a newer version\"}\n";
        }
        peer->write("HTTP/1.1 " + status + "\r\nApi-Version: " + engineApi
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    });
    QVERIFY(engine.listen());
    DockerClient docker(engine.endpoint());
    bool done = false;
    Result<EngineInfo> info = Error(Error::Code::Cancelled, QStringLiteral("not answered"));
    docker.info(this, [&](const Result<EngineInfo> &result) {
        done = true;
        info = result;
    });
    QTRY_VERIFY(done);
    QCOMPARE(engine.requests.value(1), QByteArray("GET /v1.")
                                           + QByteArray::number(DockerClient::kMaxApiMinor)
                                           + "/info HTTP/1.1");
    if (works) {
        QVERIFY2(info.ok(), qPrintable(info.error().message()));
        QCOMPARE(info.value().serverVersion, QStringLiteral("29.0.0"));
        return;
    }
    QVERIFY(!info.ok());
    const Error &error = info.error();
    QCOMPARE(error.code(), Error::Code::Unsupported);
    QCOMPARE(error.httpStatus(), 400);
    const QString message = error.message();
    const QString ours = QStringLiteral("1.%1").arg(DockerClient::kMaxApiMinor);
    QVERIFY2(message.contains(QStringLiteral("accepts API 1.52 and newer")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("speaks at most API ") + ours), qPrintable(message));
    QVERIFY2(error.hint().contains(QStringLiteral("Update GPU Deck")), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('{')), qPrintable(message)); // no raw daemon JSON
}

void TestHttpFaults::deviceDriverError()
{
    const QByteArray message =
        R"({"message":"could not select device driver \"\" with capabilities: [[gpu]]"})"
        "\n";
    const QByteArray answer = "HTTP/1.1 500 Internal Server Error\r\nApi-Version: 1.41\r\n"
                              "Content-Type: application/json\r\nContent-Length: "
                              + QByteArray::number(message.size()) + "\r\n\r\n" + message;
    const QByteArray ping = pingAnswer("1.41");
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &line) {
        peer->write(line.startsWith("GET /_ping") ? ping : answer);
    });
    QVERIFY(engine.listen());
    DockerClient docker(engine.endpoint());
    bool done = false;
    Error error;
    docker.startContainer(QStringLiteral("abc"), this, [&](const Result<void> &result) {
        done = true;
        error = result.error();
    });
    QTRY_VERIFY(done);
    QCOMPARE(engine.requests.value(1), QByteArray("POST /v1.41/containers/abc/start HTTP/1.1"));
    QCOMPARE(error.code(), Error::Code::DeviceDriver);
    QCOMPARE(error.httpStatus(), 500);
    QCOMPARE(error.why(),
             QStringLiteral("could not select device driver \"\" with capabilities: [[gpu]]"));
    QCOMPARE(error.hint(), QString::fromLatin1(EngineError::kToolkitHint));
    QVERIFY(error.message().contains(QStringLiteral("nvidia-ctk runtime configure")));
}

void TestHttpFaults::attach_data()
{
    // what the engine writes after the attach request
    QTest::addColumn<QList<QByteArray>>("writes");
    QTest::addColumn<QByteArray>("expectedStdout");
    QTest::addColumn<QByteArray>("expectedStderr");
    QTest::addColumn<QString>("errorPart"); // empty: a clean end

    const QByteArray out = frame(1, "done\n");
    const QByteArray err = frame(2, "warn\n");
    QTest::newRow("101 and frames in one write, clean close")
        << QList<QByteArray>{kUpgradeHead + out + err} << QByteArray("done\n")
        << QByteArray("warn\n") << QString();
    QTest::newRow("101, then frames in pieces, clean close")
        << QList<QByteArray>{kUpgradeHead, out.left(3), out.mid(3) + err.left(9), err.mid(9)}
        << QByteArray("done\n") << QByteArray("warn\n") << QString();
    QTest::newRow("closed inside a frame header")
        << QList<QByteArray>{kUpgradeHead + out + err.left(5)} << QByteArray("done\n")
        << QByteArray() << QStringLiteral("middle of a frame");
    QTest::newRow("closed inside a frame's payload")
        << QList<QByteArray>{kUpgradeHead + out, err.left(10)} << QByteArray("done\n")
        << QByteArray("wa") << QStringLiteral("middle of a frame");
    QTest::newRow("daemon error frame")
        << QList<QByteArray>{kUpgradeHead + out + frame(3, "error from daemon in stream: boom")}
        << QByteArray("done\n") << QByteArray() << QStringLiteral("boom");
}

void TestHttpFaults::attach()
{
    QFETCH(QList<QByteArray>, writes);
    QFETCH(QByteArray, expectedStdout);
    QFETCH(QByteArray, expectedStderr);
    QFETCH(QString, errorPart);

    const QByteArray ping = pingAnswer("1.41");
    QByteArray attachLine;
    FakeEngine engine([&](QLocalSocket *peer, const QByteArray &line) {
        if (line.startsWith("GET /_ping")) {
            peer->write(ping);
            return;
        }
        attachLine = line;
        // Each write on its own turn of the event loop, so that the client reads them apart.
        for (int i = 0; i < writes.size(); ++i) {
            QTimer::singleShot(20 * i, peer, [peer, data = writes.at(i)]() {
                peer->write(data);
                peer->flush();
            });
        }
        QTimer::singleShot(20 * int(writes.size()), peer,
                           [peer]() { peer->disconnectFromServer(); });
    });
    QVERIFY(engine.listen());
    DockerClient docker(engine.endpoint());
    ContainerStream *stream = docker.attach(QStringLiteral("abc"), false);
    QSignalSpy started(stream, &ContainerStream::started);
    QSignalSpy finished(stream, &ContainerStream::finished);
    QByteArray out;
    QByteArray err;
    connect(stream, &ContainerStream::output, this,
            [&](StreamDemuxer::Channel channel, const QByteArray &data) {
                if (channel == StreamDemuxer::Channel::Stdout)
                    out += data;
                else if (channel == StreamDemuxer::Channel::Stderr)
                    err += data;
            });
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(started.count(), 1);
    QCOMPARE(attachLine,
             QByteArray("POST /v1.41/containers/abc/attach?stream=1&stdout=1&stderr=1 HTTP/1.1"));
    // The ping's keep-alive connection is not used for the hijack.
    QCOMPARE(engine.connections, 2);
    QCOMPARE(out, expectedStdout);
    QCOMPARE(err, expectedStderr);
    if (errorPart.isEmpty()) {
        QVERIFY2(!stream->error().isError(), qPrintable(stream->error().message()));
    } else {
        QVERIFY(stream->error().isError());
        QVERIFY2(stream->error().message().contains(errorPart),
                 qPrintable(stream->error().message()));
    }
}

QTEST_GUILESS_MAIN(TestHttpFaults)
#include "tst_httpfaults.moc"
