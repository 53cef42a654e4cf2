#include "engines/EngineStatus.h"

#include "common/Error.h"
#include "engine/Endpoint.h"
#include "engine/EngineTypes.h"
#include "widgets/Icons.h"
#include "widgets/StatusColors.h"

#include <QLabel>
#include <QLocale>
#include <QStatusBar>

EngineStatus::EngineStatus(QStatusBar *bar)
    : QObject(bar), m_icon(new QLabel(bar)), m_state(new QLabel(bar)), m_text(new QLabel(bar))
{
    m_text->setObjectName(QStringLiteral("engineStatus"));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setText(tr("Connecting to the engine…"));
    m_state->setObjectName(QStringLiteral("engineState"));
    m_state->setText(tr("Connecting"));
    bar->addWidget(m_icon);
    bar->addWidget(m_state);
    bar->addWidget(m_text, 1);
}

void EngineStatus::showConnecting(const QString &url)
{
    m_icon->clear();
    m_text->setStyleSheet({});
    m_text->setToolTip({});
    m_text->setText(tr("Connecting to %1…").arg(url));
    setState(tr("Connecting"), true);
}

void EngineStatus::showConnected()
{
    setState(tr("Connected"), true);
}

void EngineStatus::showAnswered()
{
    m_icon->setPixmap(Icons::get(QStringLiteral("engine-ok")).pixmap(16, 16));
}

void EngineStatus::showInfo(const Endpoint &endpoint, const EngineInfo &info)
{
    showAnswered();
    // Plain tcp:// is allowed (the docker CLI allows it) but never quietly.
    setState(endpoint.isInsecure() ? tr("Connected, not secure") : tr("Connected"),
             !endpoint.isInsecure());
    m_text->setStyleSheet({});
    QString tip = tr("Engine at %1 (%2)\n%3, kernel %4\n%5 CPUs, %6 memory\nData root %7\n"
                     "Default runtime %8; engine API up to %9")
                      .arg(endpoint.url, endpoint.source, info.operatingSystem, info.kernelVersion,
                           QString::number(info.cpus),
                           QLocale().formattedDataSize(info.memoryBytes), info.rootDir,
                           info.defaultRuntime, info.engineApiVersion);
    if (endpoint.isInsecure()) {
        tip.prepend(endpoint.insecurityWarning() + QStringLiteral(".\n\n"));
        m_state->setToolTip(endpoint.insecurityWarning() + QLatin1Char('.'));
    } else {
        m_state->setToolTip({});
    }
    m_text->setToolTip(tip);
    m_text->setText(tr("Engine %1 (%2) — %3, API %4 — runtimes: %5")
                        .arg(endpoint.url, endpoint.source, info.productName(), info.apiVersion,
                             info.runtimes.join(QStringLiteral(", "))));
}

void EngineStatus::showError(const Error &error)
{
    setState(tr("Disconnected"), false);
    m_icon->setPixmap(Icons::get(QStringLiteral("engine-error")).pixmap(16, 16));
    m_text->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_text));
    m_text->setText(error.message());
}

void EngineStatus::showReconnecting()
{
    m_text->setToolTip(tr("Reconnecting on its own when the engine is back."));
}

void EngineStatus::setState(const QString &text, bool ok)
{
    m_state->setText(text);
    m_state->setStyleSheet(ok ? QStringLiteral("font-weight: bold;")
                              : QStringLiteral("font-weight: bold; ")
                                    + StatusColors::styleSheet(StatusColors::Tone::Error, m_state));
}
