/*
 * presence.h: holds prompts while the person is away or busy (screen
 * locked, do not disturb), through engine_set_away().
 */
#ifndef CALF_PRESENCE_H
#define CALF_PRESENCE_H

struct engine;

void	presence_init(struct engine *);
void	presence_shutdown(void);

#endif
