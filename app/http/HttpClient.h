#pragma once

#include "HttpRequest.h"

#include <QList>
#include <QObject>
#include <QString>

class HttpReply;
class QLocalSocket;

// HTTP/1.1 over a Unix socket, on the Qt event loop. Short calls share keep-alive connections;
// each stream gets its own. Qt 6.4's network access manager cannot do either over a Unix socket.
class HttpClient : public QObject
{
    Q_OBJECT

public:
    explicit HttpClient(QString socketPath, QObject *parent = nullptr);
    ~HttpClient() override;

    const QString &socketPath() const { return m_socketPath; }

    // Starts the request at once. The reply is owned by the client and deleted after finished.
    HttpReply *send(const HttpRequest &request);

    // Aborts every request in flight and drops idle connections.
    void abortAll();

    int idleConnectionCount() const { return int(m_idle.size()); }

private:
    friend class HttpReply;
    QLocalSocket *newSocket();
    void release(HttpReply *reply, QLocalSocket *socket, bool reusable);
    // A reused connection died before any answer: try once more on a fresh one.
    void retryOnFreshConnection(HttpReply *reply);

    QString m_socketPath;
    QList<QLocalSocket *> m_idle;
    static constexpr int kMaxIdle = 4;
};
