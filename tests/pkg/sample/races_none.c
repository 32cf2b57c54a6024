/* sample_more_work() of the sample's races program as committed: nothing more. */
void sample_more_work(void);

void sample_more_work(void)
{
}
