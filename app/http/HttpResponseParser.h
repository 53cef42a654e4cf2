#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <memory>

struct HttpResponseHead
{
    int status = 0;
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> headers;
    bool keepAlive = false;
    bool upgraded = false; // 101: the rest of the connection is a raw stream

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
};

// Incremental HTTP/1.1 response parsing on top of llhttp. Feed it bytes as they arrive, split
// anywhere; it reports the head once, body bytes as they are decoded (chunked, Content-Length or
// up to EOF), then completion. After a 101 the parser stops and hands back the bytes that followed
// the head: they already belong to the raw stream. Header size is bounded so a hostile peer
// cannot make it buffer without limit.
class HttpResponseParser
{
public:
    static constexpr int kMaxHeaderBytes = 64 * 1024;
    static constexpr int kMaxHeaderCount = 512;

    struct Callbacks
    {
        std::function<void(const HttpResponseHead &)> head;
        std::function<void(const char *data, qsizetype size)> body;
        std::function<void()> complete;
        std::function<void(const QByteArray &rest)> upgraded;
    };

    explicit HttpResponseParser(Callbacks callbacks);
    ~HttpResponseParser();
    HttpResponseParser(const HttpResponseParser &) = delete;
    HttpResponseParser &operator=(const HttpResponseParser &) = delete;

    // Starts a new response; headRequest: the response carries no body whatever it says.
    void reset(bool headRequest = false);

    // Returns false once the input is not a valid response (see errorString()). Bytes after a
    // complete response (there should be none without pipelining) are a protocol error too.
    bool feed(const char *data, qsizetype size);
    bool feed(const QByteArray &data) { return feed(data.constData(), data.size()); }
    // The peer closed the connection: completes a body that runs to EOF, or fails.
    bool finish();

    bool isComplete() const { return m_complete; }
    bool isUpgraded() const { return m_upgraded; }
    bool headReceived() const { return m_headDone; }
    bool hasFailed() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

private:
    struct Parser;
    friend struct Parser;

    int onStatus(const char *at, size_t length);
    int onHeaderField(const char *at, size_t length);
    int onHeaderValue(const char *at, size_t length);
    int onHeadersComplete();
    int onBody(const char *at, size_t length);
    int onMessageComplete();
    bool addHeaderBytes(size_t length);

    std::unique_ptr<Parser> m_parser;
    Callbacks m_callbacks;
    HttpResponseHead m_head;
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    bool m_headRequest = false;
    bool m_headDone = false;
    bool m_complete = false;
    bool m_upgraded = false;
    qsizetype m_headerBytes = 0;
    QString m_error;
};
