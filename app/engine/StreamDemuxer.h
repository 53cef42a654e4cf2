#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

// Splits the engine's attach/logs stream into stdout, stderr and daemon errors. Without a TTY the
// stream is framed — an 8-byte header [type, 0, 0, 0, size (4 bytes, big-endian)] then the payload
// — and frames split anywhere across reads and HTTP chunks. With a TTY it is raw stdout. Which one
// it is comes from the container's Config.Tty, never from the Content-Type.
class StreamDemuxer
{
public:
    enum class Channel { Stdout = 1, Stderr = 2, DaemonError = 3 };
    using Sink = std::function<void(Channel, const char *data, qsizetype size)>;

    StreamDemuxer(bool tty, Sink sink);

    // Returns false when the framing is broken (an unknown stream type); errorString() says how.
    bool feed(const char *data, qsizetype size);
    bool feed(const QByteArray &data) { return feed(data.constData(), data.size()); }

    // True when the stream may end here: not inside a frame.
    bool atFrameBoundary() const { return m_headerFill == 0 && m_remaining == 0; }
    bool hasFailed() const { return !m_error.isEmpty(); }
    QByteArray errorString() const { return m_error; }

private:
    bool m_tty;
    Sink m_sink;
    unsigned char m_header[8] = {};
    int m_headerFill = 0;
    quint32 m_remaining = 0;
    Channel m_channel = Channel::Stdout;
    QByteArray m_error;
};
