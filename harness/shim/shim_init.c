/* shim_init.c: placeholder while the shim is being written. */
void lst_shim_placeholder(void);
void lst_shim_placeholder(void)
{
}
