#pragma once

#include "EngineStream.h"
#include "StreamDemuxer.h"

// A container's output from attach (hijacked connection) or logs: demultiplexed into stdout,
// stderr and daemon errors, as raw bytes so that byte-exact output is kept. A type-3 frame (an
// error the daemon wrote into the stream) also ends up in error() when the stream finishes.
class ContainerStream : public EngineStream
{
    Q_OBJECT

public:
    ContainerStream(bool tty, const Endpoint &endpoint, QObject *parent);

    bool isTty() const { return m_tty; }
    bool isStarted() const { return m_started; }
    qint64 bytesReceived() const { return m_bytes; }

    bool write(const QByteArray &data); // to the container's stdin (attach with stdin only)
    // End-of-file on the container's stdin once what was written is out; output goes on.
    void closeStdin();

    void bind(HttpReply *reply, const QString &what) override;

signals:
    void started(); // the engine accepted the attach: output can no longer be lost
    void output(StreamDemuxer::Channel channel, const QByteArray &data);

private:
    bool m_tty;
    StreamDemuxer m_demuxer;
    QByteArray m_daemonError;
    qint64 m_bytes = 0;
    bool m_started = false;
};
