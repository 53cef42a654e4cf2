#pragma once

#include "gpu/AlertRules.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QMenu;
class QSystemTrayIcon;

// The window's side of AlertRules: each alert as a desktop notification (the system tray's, when
// there is one) and as a log line, each switchable; the switches live in QSettings ("alerts/...")
// and in menu(), which the GPU panel offers.
class GpuAlerts : public QObject
{
    Q_OBJECT

public:
    explicit GpuAlerts(QObject *parent = nullptr);

    void check(const GpuSnapshot &snapshot);
    // A launch ended; said only while the window is not in front (AlertRules::launchFinished).
    void launchFinished(const QString &name, std::optional<qint64> exitCode, qint64 durationMs,
                        bool windowInFront);
    // Checkable actions for the switches, kept in step with QSettings.
    void fillMenu(QMenu *menu);

    bool desktopNotifications() const { return m_desktop; }

signals:
    // One line for the window's log: "05:40:12  GPU 1 (NVIDIA H100) is free now (...)".
    void logged(const QString &line);

private:
    void tell(const GpuAlert &alert);
    void load();
    void save() const;

    AlertRules m_rules;
    bool m_desktop = true;
    bool m_log = true;
    QPointer<QSystemTrayIcon> m_tray;
};
