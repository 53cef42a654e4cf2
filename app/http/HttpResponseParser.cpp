#include "HttpResponseParser.h"

#include <llhttp.h>

QByteArray HttpResponseHead::header(const QByteArray &name) const
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

struct HttpResponseParser::Parser
{
    llhttp_t parser;
    llhttp_settings_t settings;

    static HttpResponseParser *self(llhttp_t *p)
    {
        return static_cast<HttpResponseParser *>(p->data);
    }
};

HttpResponseParser::HttpResponseParser(Callbacks callbacks)
    : m_parser(std::make_unique<Parser>()), m_callbacks(std::move(callbacks))
{
    llhttp_settings_t &s = m_parser->settings;
    llhttp_settings_init(&s);
    s.on_status = [](llhttp_t *p, const char *at, size_t n) {
        return Parser::self(p)->onStatus(at, n);
    };
    s.on_header_field = [](llhttp_t *p, const char *at, size_t n) {
        return Parser::self(p)->onHeaderField(at, n);
    };
    s.on_header_value = [](llhttp_t *p, const char *at, size_t n) {
        return Parser::self(p)->onHeaderValue(at, n);
    };
    s.on_headers_complete = [](llhttp_t *p) { return Parser::self(p)->onHeadersComplete(); };
    s.on_body = [](llhttp_t *p, const char *at, size_t n) {
        return Parser::self(p)->onBody(at, n);
    };
    s.on_message_complete = [](llhttp_t *p) { return Parser::self(p)->onMessageComplete(); };
    reset();
}

HttpResponseParser::~HttpResponseParser() = default;

void HttpResponseParser::reset(bool headRequest)
{
    llhttp_init(&m_parser->parser, HTTP_RESPONSE, &m_parser->settings);
    m_parser->parser.data = this;
    m_head = HttpResponseHead();
    m_field.clear();
    m_value.clear();
    m_inValue = false;
    m_headRequest = headRequest;
    m_headDone = false;
    m_complete = false;
    m_upgraded = false;
    m_headerBytes = 0;
    m_error.clear();
}

bool HttpResponseParser::addHeaderBytes(size_t length)
{
    m_headerBytes += qsizetype(length);
    if (m_headerBytes > kMaxHeaderBytes) {
        m_error = QStringLiteral("the response headers are larger than %1 KiB")
                      .arg(kMaxHeaderBytes / 1024);
        return false;
    }
    return true;
}

int HttpResponseParser::onStatus(const char *at, size_t length)
{
    if (!addHeaderBytes(length))
        return -1;
    m_head.reason.append(at, qsizetype(length));
    return 0;
}

int HttpResponseParser::onHeaderField(const char *at, size_t length)
{
    if (m_inValue) {
        m_head.headers.append({m_field, m_value.trimmed()});
        m_field.clear();
        m_value.clear();
        m_inValue = false;
    }
    // A new header line also costs its ": " and CRLF, and a list entry: without this, a flood
    // of "a:" lines would pass the byte limit while growing the list to megabytes.
    size_t lineCost = 0;
    if (m_field.isEmpty()) {
        if (m_head.headers.size() >= kMaxHeaderCount) {
            m_error = QStringLiteral("the response has more than %1 headers").arg(kMaxHeaderCount);
            return -1;
        }
        lineCost = 4;
    }
    if (!addHeaderBytes(length + lineCost))
        return -1;
    m_field.append(at, qsizetype(length));
    return 0;
}

int HttpResponseParser::onHeaderValue(const char *at, size_t length)
{
    if (!addHeaderBytes(length))
        return -1;
    m_inValue = true;
    m_value.append(at, qsizetype(length));
    return 0;
}

int HttpResponseParser::onHeadersComplete()
{
    if (m_inValue || !m_field.isEmpty())
        m_head.headers.append({m_field, m_value.trimmed()});
    m_field.clear();
    m_value.clear();
    m_inValue = false;

    llhttp_t *p = &m_parser->parser;
    m_head.status = p->status_code;
    if (m_head.status < 100) { // llhttp takes any three digits, "010" too
        m_error = QStringLiteral("invalid HTTP status %1").arg(m_head.status);
        return -1;
    }
    // An interim response: skip it, the real one follows. It has no body even when it carries a
    // Content-Length, and llhttp would read one (then hand it out as the real answer's body).
    if (m_head.status >= 100 && m_head.status < 200 && m_head.status != 101)
        return 1;
    m_head.keepAlive = llhttp_should_keep_alive(p) != 0;
    m_head.upgraded = m_head.status == 101;
    m_headDone = true;
    if (m_callbacks.head)
        m_callbacks.head(m_head);
    if (m_head.upgraded)
        return 2; // no body; llhttp_execute stops with HPE_PAUSED_UPGRADE
    // 204 and 304 never have a body; a 304 may still describe one with Content-Length.
    return m_headRequest || m_head.status == 204 || m_head.status == 304 ? 1 : 0;
}

int HttpResponseParser::onBody(const char *at, size_t length)
{
    if (m_callbacks.body)
        m_callbacks.body(at, qsizetype(length));
    return 0;
}

int HttpResponseParser::onMessageComplete()
{
    if (!m_headDone) {
        // End of an interim 1xx response: start over for the final one.
        m_head = HttpResponseHead();
        m_headerBytes = 0;
        return 0;
    }
    if (m_head.upgraded)
        return 0; // llhttp goes on to report HPE_PAUSED_UPGRADE
    m_complete = true;
    return HPE_PAUSED; // one response per request: stop here
}

bool HttpResponseParser::feed(const char *data, qsizetype size)
{
    if (hasFailed())
        return false;
    if (m_upgraded) {
        m_error = QStringLiteral("HTTP data after the connection was upgraded");
        return false;
    }
    if (m_complete) {
        if (size == 0)
            return true;
        m_error = QStringLiteral("unexpected data after the end of the response");
        return false;
    }
    if (size == 0)
        return true;
    llhttp_t *p = &m_parser->parser;
    const llhttp_errno_t rc = llhttp_execute(p, data, size_t(size));
    if (rc == HPE_OK)
        return true;
    if (rc == HPE_PAUSED_UPGRADE) {
        m_upgraded = true;
        const char *pos = llhttp_get_error_pos(p);
        const qsizetype used = pos ? qsizetype(pos - data) : size;
        const QByteArray rest(data + used, size - used);
        if (m_callbacks.upgraded)
            m_callbacks.upgraded(rest);
        return true;
    }
    if (rc == HPE_PAUSED) {
        const char *pos = llhttp_get_error_pos(p);
        const qsizetype used = pos ? qsizetype(pos - data) : size;
        // Stray bytes after the answer: the answer stands, but the connection is out of step,
        // so the error is recorded before completion is reported and the caller drops it.
        if (used < size)
            m_error = QStringLiteral("unexpected data after the end of the response");
        if (m_complete && m_callbacks.complete)
            m_callbacks.complete();
        return !hasFailed();
    }
    if (m_error.isEmpty()) {
        m_error = QStringLiteral("malformed HTTP response (%1)")
                      .arg(QString::fromLatin1(llhttp_get_error_reason(p)));
    }
    return false;
}

bool HttpResponseParser::finish()
{
    if (hasFailed())
        return false;
    if (m_complete || m_upgraded)
        return true;
    llhttp_t *p = &m_parser->parser;
    const llhttp_errno_t rc = llhttp_finish(p);
    if (rc == HPE_OK && m_complete) {
        if (m_callbacks.complete)
            m_callbacks.complete();
        return true;
    }
    if (rc == HPE_PAUSED && m_complete) {
        if (m_callbacks.complete)
            m_callbacks.complete();
        return true;
    }
    m_error = m_headDone ? QStringLiteral("the connection closed before the response was complete")
                         : QStringLiteral("the connection closed before a response arrived");
    return false;
}
