#include "EngineWatch.h"

#include "DockerClient.h"
#include "JsonStream.h"

EngineWatch::EngineWatch(DockerClient *client, QObject *parent) : QObject(parent), m_client(client)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &EngineWatch::check);
}

EngineWatch::~EngineWatch()
{
    stop();
}

void EngineWatch::start()
{
    m_retryMs = kFirstRetryMs;
    check();
}

void EngineWatch::stop()
{
    m_retry.stop();
    delete m_calls;
    m_calls = nullptr;
    if (m_events) {
        m_events->disconnect(this);
        m_events->cancel();
        m_events->deleteLater();
    }
}

void EngineWatch::check()
{
    m_retry.stop();
    delete m_calls; // a ping still in flight answers nobody
    m_calls = new QObject(this);
    if (m_state == State::Disconnected)
        m_client->reset(); // connections to the old engine are dead
    m_client->ping(m_calls, [this](const Result<QString> &answer) {
        if (!answer) {
            setDown(answer.error());
            return;
        }
        const bool wasUp = m_state == State::Connected;
        m_state = State::Connected;
        m_error = Error();
        m_retryMs = kFirstRetryMs;
        if (!m_events)
            openEvents();
        if (!wasUp)
            emit connected();
    });
}

void EngineWatch::openEvents()
{
    m_events = m_client->events();
    connect(m_events, &JsonStream::started, this, [this]() { m_quickEnds = 0; });
    connect(m_events, &JsonStream::object, this, &EngineWatch::engineEvent);
    connect(m_events, &JsonStream::finished, this, &EngineWatch::onEventsEnded);
}

void EngineWatch::onEventsEnded()
{
    if (m_events)
        m_events->deleteLater();
    m_events = nullptr;
    // A stream that keeps ending while pings succeed must not become a busy loop.
    if (++m_quickEnds > 3) {
        m_retry.start(m_retryMs);
        m_retryMs = qMin(m_retryMs * 2, kMaxRetryMs);
        return;
    }
    check();
}

void EngineWatch::setDown(const Error &error)
{
    const bool wasDown = m_state == State::Disconnected;
    m_state = State::Disconnected;
    m_error = error;
    if (m_events) {
        m_events->disconnect(this);
        m_events->cancel();
        m_events->deleteLater();
    }
    m_retry.start(m_retryMs);
    m_retryMs = qMin(m_retryMs * 2, kMaxRetryMs);
    if (!wasDown)
        emit disconnected(error);
}
