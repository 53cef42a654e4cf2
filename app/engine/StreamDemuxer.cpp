#include "StreamDemuxer.h"

#include <utility>

StreamDemuxer::StreamDemuxer(bool tty, Sink sink) : m_tty(tty), m_sink(std::move(sink)) { }

bool StreamDemuxer::feed(const char *data, qsizetype size)
{
    if (hasFailed())
        return false;
    if (m_tty) {
        if (size > 0)
            m_sink(Channel::Stdout, data, size);
        return true;
    }
    while (size > 0) {
        if (m_remaining == 0) {
            const qsizetype take = qMin<qsizetype>(8 - m_headerFill, size);
            std::copy(data, data + take, m_header + m_headerFill);
            m_headerFill += int(take);
            data += take;
            size -= take;
            if (m_headerFill < 8)
                return true;
            m_headerFill = 0;
            const unsigned type = m_header[0];
            // Type 0 is stdin echoed back; the engine writes it on stdout.
            if (type > 3) {
                m_error = QByteArrayLiteral("unknown stream type ") + QByteArray::number(type)
                          + " in the container's output";
                return false;
            }
            m_channel = type == 0 ? Channel::Stdout : static_cast<Channel>(type);
            m_remaining = (quint32(m_header[4]) << 24) | (quint32(m_header[5]) << 16)
                          | (quint32(m_header[6]) << 8) | quint32(m_header[7]);
            continue;
        }
        const qsizetype take = qMin<qsizetype>(qsizetype(m_remaining), size);
        m_sink(m_channel, data, take);
        m_remaining -= quint32(take);
        data += take;
        size -= take;
    }
    return true;
}
