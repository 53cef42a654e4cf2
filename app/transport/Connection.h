#pragma once

#include "common/Error.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <memory>

class PortForwarder;
class QIODevice;
class SshTunnel;

// One byte stream to the engine, however it travels (Unix socket, TCP, TLS, an ssh tunnel).
// The HTTP client speaks through it and never sees the transport: failures arrive as Error
// values that say what happened (refused, no such socket, certificate not trusted, ssh host key
// changed) and never what to do about it; the engine layer adds that.
class Connection : public QObject
{
    Q_OBJECT

public:
    ~Connection() override;

    // Connects; emits connected() or failed(), never both, never synchronously.
    virtual void open() = 0;
    virtual bool isConnected() const = 0;
    // Where the bytes go, for messages: "/var/run/docker.sock", "gpu1:2376".
    virtual QString peer() const = 0;

    // Extra time open() may need before the connection is up (an ssh login), on top of a
    // request's connect timeout.
    virtual int setupTimeMs() const { return 0; }

    qint64 write(const QByteArray &data);
    // Bytes handed to the kernel so far: none means the peer cannot have read a request.
    qint64 bytesSent() const { return m_bytesSent; }
    // What has arrived so far; empty once the connection is gone.
    QByteArray readAll();
    qint64 bytesToWrite() const;

    // Half-close: the peer reads end-of-file once the bytes already written are out, and this
    // side can still read. On a TLS stream the write side of the TCP connection is shut down
    // after the last record, which Go's TLS stack (dockerd) reads as end-of-file.
    void closeWrite();
    // Drops the connection at once; emits nothing.
    void abort();

signals:
    void connected();
    void readyRead();
    // The peer closed the connection (bytes that came with the close are still readable).
    void closed();
    void failed(const Error &error);

protected:
    explicit Connection(QObject *parent);
    // The subclass's device, once it exists; the base class reads and writes through it.
    void setDevice(QIODevice *device);
    QIODevice *device() const { return m_device; }
    // The socket's file descriptor for shutdown(2), or -1.
    virtual qintptr descriptor() const = 0;
    virtual qint64 pendingEncryptedBytes() const { return 0; }
    virtual void flushDevice() = 0;
    void emitFailed(const Error &error);
    // Bytes went out (plain or encrypted): a pending half-close may go now.
    void writeProgressed();

private:
    void shutdownWriteWhenDrained();

    QIODevice *m_device = nullptr;
    qint64 m_bytesSent = 0;
    bool m_closeWriteRequested = false;
    bool m_writeShutDown = false;
    bool m_done = false;
};

// Makes connections to one engine. The HTTP client owns its connector and asks it for a new
// connection whenever its keep-alive pool has none to reuse.
class Connector
{
public:
    virtual ~Connector() = default;
    virtual Connection *create(QObject *parent) = 0;
    // The engine as people name it: "unix:///var/run/docker.sock", "ssh://gpu1".
    virtual QString describe() const = 0;
    // Port forwards to the engine's host over this transport's own connection; null without one.
    virtual PortForwarder *portForwarder() const { return nullptr; }
    // The ssh connection under an ssh:// engine, for commands on its host over the same login;
    // null for the other transports.
    virtual SshTunnel *sshTunnel() const { return nullptr; }
};
