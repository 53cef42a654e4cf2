#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

class Launcher;
class QMessageBox;
class QWidget;

// The window's questions that offer a next step (pull the missing image? run the checklist?
// switch to a preset's engine?), one at a time and without blocking: the window and its running
// log tabs go on while a question waits.
class Offers : public QObject
{
    Q_OBJECT

public:
    explicit Offers(QWidget *window);

    // The question shown now; null when none is.
    QMessageBox *current() const;
    // Replaces the question shown with this one; onYes runs when its action button is pressed.
    void ask(const QString &name, const QString &title, const QString &text, const QString &action,
             const std::function<void()> &onYes);
    // After a launch ended: a failure the window knows a fix for is offered that fix.
    void afterLaunch(const Launcher &launcher);

signals:
    void doctorWanted(const QString &reason);
    void pullWanted(const QString &image);

private:
    QWidget *m_window;
    QPointer<QMessageBox> m_box;
};
