#pragma once

#include <QObject>

class LogView;
class PresetBar;
class QAction;
class QMainWindow;
class QToolBar;

// The window's actions with their shortcuts, in its menus and on its tool bar. The log's actions
// go to the log view; the window connects the others to what it does.
class WindowActions : public QObject
{
    Q_OBJECT

public:
    WindowActions(QMainWindow *window, LogView *logs, PresetBar *presets);

    QAction *launch() const { return m_launch; }
    QAction *stop() const { return m_stop; }
    QAction *refresh() const { return m_refresh; }
    QAction *pull() const { return m_pull; }
    QAction *doctor() const { return m_doctor; }
    QToolBar *toolBar() const { return m_toolBar; }

private:
    QAction *m_launch = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_refresh = nullptr;
    QAction *m_pull = nullptr;
    QAction *m_doctor = nullptr;
    QToolBar *m_toolBar = nullptr;
};
