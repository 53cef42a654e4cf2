#include "LocalConnection.h"

#include <QLocalSocket>

LocalConnection::LocalConnection(QString path, QObject *parent)
    : Connection(parent), m_path(std::move(path)), m_socket(new QLocalSocket(this))
{
    m_socket->setReadBufferSize(0);
    setDevice(m_socket);
    connect(m_socket, &QLocalSocket::connected, this, &Connection::connected);
    connect(m_socket, &QLocalSocket::disconnected, this, &LocalConnection::onDisconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &LocalConnection::onError);
}

void LocalConnection::open()
{
    connectTo(m_path);
}

void LocalConnection::connectTo(const QString &path)
{
    m_socket->connectToServer(path);
}

bool LocalConnection::isConnected() const
{
    return m_socket->state() == QLocalSocket::ConnectedState;
}

qintptr LocalConnection::descriptor() const
{
    return m_socket->socketDescriptor();
}

void LocalConnection::flushDevice()
{
    m_socket->flush();
}

void LocalConnection::onError()
{
    const QString what = QStringLiteral("Could not reach the engine at %1").arg(m_path);
    switch (m_socket->error()) {
    case QLocalSocket::PeerClosedError: return; // disconnected() follows and reports the close
    case QLocalSocket::ServerNotFoundError:
        emitFailed(
            Error(Error::Code::SocketNotFound, what, QStringLiteral("the socket does not exist")));
        return;
    case QLocalSocket::ConnectionRefusedError:
        emitFailed(Error(Error::Code::ConnectionFailed, what,
                         QStringLiteral("nothing is listening on the socket")));
        return;
    case QLocalSocket::SocketAccessError:
        emitFailed(Error(Error::Code::PermissionDenied, what, QStringLiteral("permission denied")));
        return;
    default:
        emitFailed(Error(Error::Code::ConnectionFailed, what, m_socket->errorString()));
        return;
    }
}
