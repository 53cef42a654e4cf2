#pragma once

#include "HttpRequest.h"
#include "HttpResponseParser.h"
#include "common/Error.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class Connection;
class HttpClient;

// One request in flight. Emits headReceived once, dataReceived for body bytes of a stream (or the
// raw stream after a 101 upgrade), and finished exactly once — on success, failure or abort.
// The client owns the reply and deletes it after finished; do not keep the pointer past that.
class HttpReply : public QObject
{
    Q_OBJECT

public:
    ~HttpReply() override;

    const HttpRequest &request() const { return m_request; }
    const HttpResponseHead &head() const { return m_head; }
    int status() const { return m_head.status; }
    bool isUpgraded() const { return m_head.upgraded; }
    bool isFinished() const { return m_finished; }
    const Error &error() const { return m_error; }
    // The whole body of a short call (empty for streams: their bytes went out in dataReceived).
    const QByteArray &body() const { return m_body; }

    // Bytes to the peer after an upgrade (a container's stdin); closeWrite half-closes: the
    // engine reads end-of-file once the bytes written before are out, and output goes on.
    bool write(const QByteArray &data);
    void closeWrite();

    // Cancels the request wherever it is; finished follows with Error::Code::Cancelled.
    void abort();

    static constexpr qsizetype kMaxBufferedBody = 64 * 1024 * 1024;

signals:
    void headReceived();
    void dataReceived(const QByteArray &data);
    void finished();

private:
    friend class HttpClient;
    HttpReply(HttpClient *client, HttpRequest request);

    void start(Connection *connection, bool reused);
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onConnectionFailed(const Error &error);
    // A reused keep-alive connection died before any answer: safe to send again only when the
    // request is idempotent or provably never reached the engine.
    bool mayRetry() const;
    void onTimeout();
    void fail(const Error &error);
    void succeed();
    void finish();
    QByteArray serialize() const;

    HttpClient *m_client;
    HttpRequest m_request;
    QPointer<Connection> m_connection;
    HttpResponseParser m_parser;
    HttpResponseHead m_head;
    QByteArray m_body;
    Error m_error;
    QTimer m_timer;
    bool m_reused = false;
    qint64 m_sentBefore = 0; // the connection's bytesSent() when this request took it
    bool m_anyByteReceived = false;
    bool m_finished = false;
};
