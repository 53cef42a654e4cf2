#pragma once

#include <QObject>
#include <QPointer>

class LogView;
class QMessageBox;
class QWidget;

// Closing the window with containers still running asks once: stop them, leave them, or stay.
class CloseQuestion : public QObject
{
    Q_OBJECT

public:
    CloseQuestion(QWidget *window, LogView *logs);

    // True when the window may close now; else the question is (or already was) asked, and its
    // answer closes the window again.
    bool allowsClose();

private:
    void ask();

    QWidget *m_window;
    LogView *m_logs;
    QPointer<QMessageBox> m_box;
    bool m_quitting = false; // the question was answered: the next close goes through
};
