#pragma once

#include <QObject>

class Error;
class QLabel;
class QStatusBar;
struct Endpoint;
struct EngineInfo;

// The selected engine's state in the status bar: an icon, a word (Connecting, Connected,
// Disconnected) and a line with its address and what it runs, its details in the tooltip.
class EngineStatus : public QObject
{
    Q_OBJECT

public:
    // Adds its labels to bar, before the bar's permanent widgets.
    explicit EngineStatus(QStatusBar *bar);

    void showConnecting(const QString &url);
    // Connected, before the engine's info is in.
    void showConnected();
    // The engine answered: a green icon, whatever else is known.
    void showAnswered();
    void showInfo(const Endpoint &endpoint, const EngineInfo &info);
    void showError(const Error &error);
    // Down, and its watch tries again on its own.
    void showReconnecting();

private:
    void setState(const QString &text, bool ok);

    QLabel *m_icon;
    QLabel *m_state;
    QLabel *m_text;
};
