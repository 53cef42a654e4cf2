#pragma once

#include "gpu/AlertRules.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QMenu;
class QSystemTrayIcon;

// The window's side of AlertRules: each alert as a desktop notification (the system tray's, when
// there is one) and as a log line, each switchable; the switches and the idle alert's minutes
// live in QSettings ("alerts/...") and in the menu fillMenu() fills, which the GPU panel offers.
// An idle container's alert also offers to stop it (stopOffered).
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
    const AlertRules::Settings &settings() const { return m_rules.settings(); }
    // How long a container may hold its GPUs at 0 % before it is named (1 to 1440 minutes).
    void setIdleMinutes(int minutes);

    static constexpr int kMinIdleMinutes = 1;
    static constexpr int kMaxIdleMinutes = 24 * 60;

signals:
    // One line for the window's log: "05:40:12  GPU 1 (NVIDIA H100) is free now (...)".
    void logged(const QString &line);
    // An idle container was named: the window offers "Stop NAME".
    void stopOffered(const QString &containerId, const QString &name);

private:
    void tell(const GpuAlert &alert);
    void load();
    void save() const;

    AlertRules m_rules;
    bool m_desktop = true;
    bool m_log = true;
    QPointer<QSystemTrayIcon> m_tray;
};
