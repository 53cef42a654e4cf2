#include "Connection.h"

#include <QIODevice>
#include <QTimer>

#include <sys/socket.h>

Connection::Connection(QObject *parent) : QObject(parent) { }

Connection::~Connection() = default;

void Connection::setDevice(QIODevice *device)
{
    m_device = device;
    connect(device, &QIODevice::readyRead, this, &Connection::readyRead);
    connect(device, &QIODevice::bytesWritten, this, [this](qint64 bytes) {
        m_bytesSent += bytes;
        writeProgressed();
    });
}

void Connection::emitFailed(const Error &error)
{
    if (m_done)
        return;
    m_done = true;
    emit failed(error);
}

qint64 Connection::write(const QByteArray &data)
{
    if (!m_device || !isConnected() || m_closeWriteRequested)
        return -1;
    return m_device->write(data);
}

QByteArray Connection::readAll()
{
    if (!m_device || !m_device->isOpen())
        return {};
    return m_device->readAll();
}

qint64 Connection::bytesToWrite() const
{
    return m_device ? m_device->bytesToWrite() + pendingEncryptedBytes() : 0;
}

void Connection::writeProgressed()
{
    if (m_closeWriteRequested)
        shutdownWriteWhenDrained();
}

void Connection::closeWrite()
{
    if (!m_device || m_closeWriteRequested)
        return;
    m_closeWriteRequested = true;
    // Not at once: a TLS socket encrypts what was written on a later turn of the event loop, and
    // its counters say nothing is pending until then.
    QTimer::singleShot(0, this, &Connection::shutdownWriteWhenDrained);
}

void Connection::shutdownWriteWhenDrained()
{
    if (m_writeShutDown || !m_device || !isConnected())
        return;
    flushDevice(); // what the kernel takes now; the rest follows bytesWritten
    if (bytesToWrite() > 0)
        return;
    const qintptr fd = descriptor();
    if (fd >= 0 && ::shutdown(int(fd), SHUT_WR) == 0)
        m_writeShutDown = true;
}

void Connection::abort()
{
    m_done = true;
    if (m_device) {
        m_device->disconnect(this);
        m_device->close();
    }
}
