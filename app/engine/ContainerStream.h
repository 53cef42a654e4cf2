#pragma once

#include "StreamDemuxer.h"
#include "common/Error.h"

#include <QObject>
#include <QPointer>

class HttpReply;

// A container's output from attach (hijacked connection) or logs: demultiplexed into stdout,
// stderr and daemon errors, as raw bytes so that byte-exact output is kept. A type-3 frame (an
// error the daemon wrote into the stream) also ends up in error() when the stream finishes.
class ContainerStream : public QObject
{
    Q_OBJECT

public:
    ContainerStream(bool tty, QObject *parent);

    bool isTty() const { return m_tty; }
    bool isStarted() const { return m_started; }
    bool isFinished() const { return m_finished; }
    const Error &error() const { return m_error; }
    qint64 bytesReceived() const { return m_bytes; }

    bool write(const QByteArray &data); // to the container's stdin (attach with stdin only)
    void cancel();

    // Used by DockerClient once the request is under way.
    void bind(HttpReply *reply, const QString &what);
    void failBeforeStart(const Error &error);

signals:
    void started(); // the engine accepted the attach: output can no longer be lost
    void output(StreamDemuxer::Channel channel, const QByteArray &data);
    void finished();

private:
    void finish(const Error &error);

    bool m_tty;
    StreamDemuxer m_demuxer;
    QPointer<HttpReply> m_reply;
    QString m_what;
    QByteArray m_daemonError;
    Error m_error;
    qint64 m_bytes = 0;
    bool m_started = false;
    bool m_finished = false;
    bool m_cancelled = false;
};
